"""The window's status bar: what the grid shows (and how much is selected), the running jobs, and
why the grid's last read failed, while it has."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QSizePolicy, QStatusBar, QWidget

from dam_desktop.services.browse.browse_sql import LibraryCounts
from dam_desktop.ui.jobs.jobs import JobList

if TYPE_CHECKING:
    from dam_desktop.ui.grid.grid_model import AssetGridModel

# As the shared library's "server unreachable" label (`shared_status`).
FAILURE_STYLE = "color: white; background: #b3261e; padding: 1px 8px;"


def _many(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def count_text(
    counts: LibraryCounts,
    shown: int,
    selected: int,
    *,
    trash: bool,
    narrowed: bool,
    exact: bool = True,
    incomplete: bool = False,
) -> str:
    """`12 assets · 10 images · 2 sounds`, `3 of 12 assets` under a search (`about 3 of 12` while
    a streamed result is still being counted), `4 in the trash`. `incomplete`: the rest of the
    result could not be read, `shown` is what was (`at least 1,000 of 12,000 assets`,
    `only 1,000 shown of 12,000 assets · …`)."""
    at_least = "at least " if incomplete else ""
    if trash:
        text = f"{at_least}{shown:,} in the trash"
    elif narrowed:
        about = at_least or ("" if exact else "about ")
        text = f"{about}{shown:,} of {_many(counts.assets, 'asset', 'assets')}"
    else:
        text = f"only {shown:,} shown of " if incomplete else ""
        text += " · ".join(
            (
                _many(counts.assets, "asset", "assets"),
                _many(counts.images, "image", "images"),
                _many(counts.sounds, "sound", "sounds"),
            )
        )
        for count, one, many in (
            (counts.videos, "video", "videos"),
            (counts.documents, "PDF", "PDFs"),
            (counts.fonts, "font", "fonts"),
        ):
            if count:
                text += f" · {_many(count, one, many)}"
    if selected:
        text += f"  ·  {selected:,} selected"
    return text


class ElidedLabel(QLabel):
    """A label that gives up width before the window does: its text is cut to fit, with "…"
    (all of it in the tooltip). A long driver message must not widen the window past the screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = max(0, self.contentsRect().width())
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, room))


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("countLabel")
        self.jobs_label = QLabel("", self)
        self.jobs_label.setObjectName("jobsLabel")
        self.jobs_bar = QProgressBar(self)
        self.jobs_bar.setObjectName("jobsBar")
        self.jobs_bar.setFixedWidth(110)
        self.jobs_bar.setFixedHeight(6)
        self.jobs_bar.setTextVisible(False)
        self.read_failure_label = ElidedLabel(self)
        self.read_failure_label.setObjectName("readFailureLabel")
        self.read_failure_label.setStyleSheet(FAILURE_STYLE)
        self.jobs_label.hide()
        self.jobs_bar.hide()
        self.read_failure_label.hide()
        # Permanent: a passing message (another workstation's change) must not hide it.
        self.addPermanentWidget(self.read_failure_label, 1)
        self.addPermanentWidget(self.jobs_label)
        self.addPermanentWidget(self.jobs_bar)
        self.addPermanentWidget(self.count_label)

    def show_count(
        self, counts: LibraryCounts, model: AssetGridModel, selected: int, *, trash: bool, narrowed: bool
    ) -> None:
        """What the grid shows, as `count_text` says it."""
        shown, exact, incomplete = model.result_size, model.size_exact, model.incomplete
        self.count_label.setText(
            count_text(
                counts, shown, selected, trash=trash, narrowed=narrowed, exact=exact, incomplete=incomplete
            )
        )

    def show_read_failure(self, text: str | None) -> None:
        """Say why the grid's last read failed (in red, until a read succeeds: None)."""
        self.read_failure_label.set_full_text(text or "")
        self.read_failure_label.setVisible(text is not None)

    def show_jobs(self, jobs: JobList) -> None:
        busy = jobs.busy
        self.jobs_label.setVisible(busy)
        self.jobs_bar.setVisible(busy)
        if not busy:
            return
        self.jobs_label.setText(jobs.summary())
        job = jobs.jobs[0]
        if job.total:
            self.jobs_bar.setRange(0, job.total)
            self.jobs_bar.setValue(job.done)
        else:
            self.jobs_bar.setRange(0, 0)
