"""The Models dialog: each catalogue model with its state, size and disk use, and the buttons to
Download (with progress and Cancel), Import weights file…, Remove, and Use for This Library (the
image model the open library embeds, searches and tags with).

The dialog only paints: statuses, downloads, imports and removals run in `ModelJobs` workers and
come back as signals; the library's choice goes through the world client to a use case.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dam_desktop.core.errors import DamError
from dam_desktop.ml.catalogue import (
    FAMILY_CLAP,
    FAMILY_OPEN_CLIP,
    TASK_IMAGE_SEARCH,
    CatalogueEntry,
    catalogue,
)
from dam_desktop.ml.model_store import STATE_READY, ModelStatus
from dam_desktop.ui.models.model_jobs import ModelJobs
from dam_desktop.ui.tasks import TaskSet

if TYPE_CHECKING:
    from dam_desktop.ui.world_client import WorldClient
    from dam_desktop.use_cases.models import ImageModelChoice

COLUMNS = ("Model", "Serves", "Download", "Licence", "State", "On disk")
STATE_COLUMN = 4
DISK_COLUMN = 5
INTRO = (
    "Models run on this computer. One image model serves image search, “Find Similar” and AI tags; "
    "download its weights here, or import a weights file you already have."
)


def human_size(size: int, exact: bool = True) -> str:
    if size <= 0:
        return "—"
    text = f"{size / 1e9:.2f} GB" if size >= 1e9 else f"{size / 1e6:.0f} MB"
    return text if exact else f"~{text}"


class ModelsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, client: WorldClient | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.in_use: str | None = None  # the open library's image model
        self.tasks = TaskSet()
        self.setWindowTitle("Models")
        self.resize(940, 380)
        self.entries: list[CatalogueEntry] = list(catalogue())
        self.states: dict[str, str] = {}
        self.statuses: dict[str, ModelStatus] = {}
        self.importing: set[str] = set()
        self.jobs = ModelJobs(self)
        self.choose_file: Callable[[CatalogueEntry], Path | None] = self._choose_file_with_dialog

        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.table = QTableWidget(len(self.entries), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        for row, entry in enumerate(self.entries):
            self._set(row, 0, entry.title, entry.name)
            self._set(row, 1, entry.describe_tasks())
            self._set(row, 2, human_size(entry.size_bytes, entry.size_exact))
            self._set(row, 3, entry.licence)
            self._set(row, STATE_COLUMN, "…")
            self._set(row, DISK_COLUMN, "…")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress.setMinimumHeight(22)
        self.progress.hide()
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.download_button = QPushButton("Download")
        self.cancel_button = QPushButton("Cancel Download")
        self.import_button = QPushButton("Import Weights File…")
        self.remove_button = QPushButton("Remove")
        self.use_button = QPushButton("Use for This Library")
        self.use_button.setToolTip(
            "Search, “Find Similar” and AI tags of this library use this model; "
            "its images are embedded again in the background"
        )
        self.use_button.setVisible(client is not None)
        close = QPushButton("Close")
        buttons = QHBoxLayout()
        actions = (self.download_button, self.cancel_button, self.import_button, self.remove_button)
        for button in (*actions, self.use_button, close):
            # No default button: Enter must not start a 600 MB download, and the style paints
            # the default one blue even while it is disabled.
            button.setAutoDefault(False)
            if button is close:
                buttons.addStretch(1)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.download_button.clicked.connect(self.download_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.import_button.clicked.connect(self.import_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.use_button.clicked.connect(self.use_selected)
        close.clicked.connect(self.close)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.jobs.statuses_read.connect(self._show_statuses)
        self.jobs.progress.connect(self._show_progress)
        self.jobs.finished.connect(self._job_finished)
        self.jobs.failed.connect(self._job_failed)
        self.jobs.cancelled.connect(self._job_cancelled)
        if self.entries:
            self.table.selectRow(0)
        self.refresh()
        if client is not None:
            self.tasks.spawn(self._read_choice())

    # --- table ---------------------------------------------------------------------------

    def _set(self, row: int, column: int, text: str, tooltip: str = "") -> None:
        item = self.table.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            self.table.setItem(row, column, item)
        item.setText(text)
        if tooltip:
            item.setToolTip(tooltip)

    def _row(self, name: str) -> int:
        return next(i for i, entry in enumerate(self.entries) if entry.name == name)

    def selected_entry(self) -> CatalogueEntry | None:
        rows = self.table.selectionModel().selectedRows()
        return self.entries[rows[0].row()] if rows else None

    def select(self, name: str) -> None:
        self.table.selectRow(self._row(name))

    def state_text(self, name: str) -> str:
        item = self.table.item(self._row(name), STATE_COLUMN)
        return item.text() if item is not None else ""

    def set_state(self, name: str, state: str) -> None:
        self.states[name] = state
        shown = f"{state} · in use" if name == self.in_use and state == STATE_READY else state
        self._set(self._row(name), STATE_COLUMN, shown)
        self._update_buttons()

    def refresh(self) -> None:
        self.jobs.read_statuses()

    def _show_statuses(self, statuses: list[ModelStatus]) -> None:
        for status in statuses:
            name = status.entry.name
            if name not in {e.name for e in self.entries}:
                continue
            self.statuses[name] = status
            self._set(self._row(name), DISK_COLUMN, human_size(status.disk_bytes))
            busy = self.jobs.is_downloading(name) or name in self.importing
            if not busy and self.states.get(name) != "failed":
                self.set_state(name, status.state)
        self._update_buttons()

    def _update_buttons(self) -> None:
        entry = self.selected_entry()
        state = self.states.get(entry.name, "") if entry else ""
        busy = entry is not None and (self.jobs.is_downloading(entry.name) or entry.name in self.importing)
        self.download_button.setEnabled(bool(entry and entry.hf_repo) and not busy and state != STATE_READY)
        self.cancel_button.setEnabled(busy)
        self.import_button.setEnabled(entry is not None and not busy)
        status = self.statuses.get(entry.name) if entry else None
        has_files = status is not None and (status.disk_bytes > 0 or status.partial_bytes > 0)
        self.remove_button.setEnabled(bool(entry) and not busy and has_files)
        self.use_button.setEnabled(
            self.client is not None
            and entry is not None
            and entry.family == FAMILY_OPEN_CLIP
            and TASK_IMAGE_SEARCH in entry.tasks
            and state == STATE_READY
            and entry.name != self.in_use
        )

    # --- actions -------------------------------------------------------------------------

    def download_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        self.jobs.download(entry)
        self.set_state(entry.name, "downloading")
        self.progress.setValue(0)
        self.progress.setFormat("Connecting…")
        self.progress.show()
        self.message.setText(f"Downloading {entry.title} from the Hugging Face hub…")

    def cancel_selected(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self.jobs.cancel(entry.name)

    def import_selected(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        source = self.choose_file(entry)
        if source is None:
            return
        self.importing.add(entry.name)
        self.set_state(entry.name, "checking file…")
        self.message.setText(f"Checking {source.name} against {entry.title}…")
        self.jobs.import_file(entry, source)

    def remove_selected(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self.jobs.remove(entry)

    def use_selected(self) -> None:
        entry = self.selected_entry()
        if entry is not None and self.client is not None:
            self.tasks.spawn(self._use(entry))

    async def _use(self, entry: CatalogueEntry) -> None:
        # Imported here: the use cases bring SQLAlchemy and numpy, which the window's first paint
        # does without (tests/test_startup_grid.py).
        from dam_desktop.use_cases.models import use_image_model

        assert self.client is not None
        try:
            choice = await self.client.call(lambda world: use_image_model(world, entry.name))
        except DamError as exc:
            self.message.setText(str(exc))
            return
        self._show_choice(choice)
        self.message.setText(
            f"This library now uses {entry.title} for image search, “Find Similar” and AI tags. "
            f"{choice.waiting} images are being embedded in the background; "
            "the other model's embeddings are kept."
        )

    async def _read_choice(self) -> None:
        from dam_desktop.use_cases.models import image_model_choice

        assert self.client is not None
        self._show_choice(await self.client.call(image_model_choice))

    def _show_choice(self, choice: ImageModelChoice) -> None:
        previous, self.in_use = self.in_use, choice.model_name
        for name in {previous, choice.model_name}:
            if name is not None and name in self.states:
                self.set_state(name, self.states[name])
        self._update_buttons()

    def _choose_file_with_dialog(self, entry: CatalogueEntry) -> Path | None:
        if entry.family == FAMILY_CLAP:
            folder = QFileDialog.getExistingDirectory(self, f"Choose the folder of {entry.title}")
            return Path(folder) if folder else None
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            f"Import weights for {entry.architecture}",
            "",
            "open_clip weights (*.safetensors *.bin *.pt *.pth)",
        )
        return Path(chosen) if chosen else None

    # --- job reports ---------------------------------------------------------------------

    def _show_progress(self, name: str, done: int, total: int | None) -> None:
        if total:
            percent = done * 100 // total
            self.set_state(name, f"downloading {percent}%")
            self.progress.setValue(done * 1000 // total)
            self.progress.setFormat(f"{human_size(done)} of {human_size(total)} ({percent}%)")
        else:
            self.progress.setFormat(f"{human_size(done)}")

    def _job_finished(self, name: str, message: str) -> None:
        self.importing.discard(name)
        self.progress.hide()
        self.states.pop(name, None)
        self.message.setText(message)
        self.refresh()

    def _job_failed(self, name: str, reason: str) -> None:
        self.importing.discard(name)
        self.progress.hide()
        self.set_state(name, "failed")
        self.message.setText(reason)
        self.refresh()

    def _job_cancelled(self, name: str, message: str) -> None:
        self.progress.hide()
        self.set_state(name, "absent")
        self.message.setText(message)
        self.refresh()
