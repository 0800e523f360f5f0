"""The Write Tags to Sidecars dialog: what will be written and where, for the selection or the whole
library; Preview lists what would change without writing; Write writes. A progress bar while it
runs, then one row per sidecar written, and one per failure with its reason."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from dam_desktop.use_cases.sidecars import SidecarReport

# Rows of the results list: failures first (they need the user), then what changed.
SHOWN_ORDER = {"failed": 0, "written": 1, "would write": 1}
MAX_ROWS = 5000


def explanation(library_path: Path) -> str:
    return (
        "Writes each asset's tags as XMP keywords (tags with parents also as hierarchical keywords, "
        "“places|europe|paris”), with its rating and colour label, where digiKam, darktable and "
        "Lightroom read them. Originals are never changed; an existing sidecar keeps its other fields.\n\n"
        "• A file the library references gets NAME.EXT.xmp beside it.\n"
        f"• A file stored in the library gets one in {library_path / 'sidecars'}."
    )


class SidecarsDialog(QDialog):
    start_requested = Signal(bool, bool)  # dry run, every asset (else the selection)
    stop_requested = Signal()

    def __init__(self, library_path: Path, selected: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidecarsDialog")
        self.setWindowTitle("Write Tags to Sidecars")
        self.resize(760, 520)
        layout = QVBoxLayout(self)
        self.intro = QLabel(explanation(library_path))
        self.intro.setWordWrap(True)
        self.intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.intro)
        self.selection_choice = QRadioButton(f"The {selected:,} selected asset{'s' if selected != 1 else ''}")
        self.everything_choice = QRadioButton("Every asset in the library")
        self.selected = selected
        self.selection_choice.setEnabled(selected > 0)
        (self.selection_choice if selected else self.everything_choice).setChecked(True)
        layout.addWidget(self.selection_choice)
        layout.addWidget(self.everything_choice)
        self.progress = QProgressBar()
        self.progress.hide()
        layout.addWidget(self.progress)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.results = QTreeWidget()
        self.results.setHeaderLabels(["Result", "Sidecar", "What changes / why not"])
        self.results.setRootIsDecorated(False)
        # The file name and its folder's start both matter: elide the middle of a long path.
        self.results.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.results.setColumnWidth(0, 100)
        self.results.setColumnWidth(1, 420)
        self.results.hide()
        layout.addWidget(self.results, 1)
        buttons = QDialogButtonBox()
        self.preview_button = QPushButton("Preview")
        self.preview_button.setToolTip(
            "List the sidecars that would be written, and what would change; write nothing"
        )
        self.write_button = QPushButton("Write")
        self.write_button.setDefault(True)
        self.stop_button = QPushButton("Stop")
        self.stop_button.hide()
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        for button in (self.preview_button, self.write_button, self.stop_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.preview_button.clicked.connect(lambda: self._start(dry_run=True))
        self.write_button.clicked.connect(lambda: self._start(dry_run=False))
        self.stop_button.clicked.connect(self.stop_requested)
        self.close_button.clicked.connect(self.close)
        layout.addWidget(buttons)

    def _start(self, *, dry_run: bool) -> None:
        self.start_requested.emit(dry_run, self.everything_choice.isChecked())

    def running(self, dry_run: bool) -> None:
        for widget in (self.preview_button, self.write_button, self.selection_choice, self.everything_choice):
            widget.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.stop_button.show()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.results.clear()
        self.results.hide()
        self.status.setText("Looking at what would change…" if dry_run else "Writing sidecars…")

    def progressed(self, done: int, total: int, current: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(
            f"{done:,} of {total:,} assets — {current}" if current else f"{done:,} of {total:,} assets"
        )

    def stopping(self) -> None:
        self.stop_button.setEnabled(False)
        self.status.setText("Stopping after the files being written…")

    def _idle(self) -> None:
        self.stop_button.hide()
        self.progress.hide()
        self.preview_button.setEnabled(True)
        self.write_button.setEnabled(True)
        self.selection_choice.setEnabled(self.selected > 0)
        self.everything_choice.setEnabled(True)

    def finished_with(self, report: SidecarReport) -> None:
        self._idle()
        self.status.setText(report.summary()[0].upper() + report.summary()[1:] + ".")
        shown = sorted(
            (r for r in report.results if r.status in SHOWN_ORDER), key=lambda r: SHOWN_ORDER[r.status]
        )
        for result in shown[:MAX_ROWS]:
            row = QTreeWidgetItem([result.status.capitalize(), str(result.path), result.detail])
            row.setToolTip(1, str(result.path))
            row.setToolTip(2, result.detail)
            self.results.addTopLevelItem(row)
        self.results.setVisible(bool(shown))

    def failed_with(self, message: str) -> None:
        self._idle()
        self.status.setText(f"Writing sidecars stopped with an error: {message}")
