"""Importing from the window: the file and folder pickers, dropped files, one import at a time,
new tiles as the import's batches land, and its report at the end."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox

from dam_desktop.services.search.sorting import SortKey
from dam_desktop.ui.jobs import interrupted_import
from dam_desktop.ui.jobs.jobs import ImportJob
from dam_desktop.ui.preferences.prefs import ANY_FILE_KEY, read_bool
from dam_desktop.ui.window.context_menu import LIBRARY_VIEW

if TYPE_CHECKING:
    from dam_desktop.services.ingest.import_service import ImportMode
    from dam_desktop.ui.window.main_window import MainWindow


def local_paths(event: QDropEvent | QDragEnterEvent) -> list[Path]:
    """The local files a drag carries (none for URLs of other kinds)."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


class ImportFlow(QObject):
    def __init__(self, window: MainWindow, mode: ImportMode) -> None:
        super().__init__(window)
        self.window = window
        self.mode: ImportMode = mode
        self.job: ImportJob | None = None
        # Files handed over by another launch while an import ran: imported after it, in one job.
        self.waiting: list[Path] = []
        self.drop_overlay = QLabel("Drop to import into “" + window.client.library_path.name + "”", window)
        self.drop_overlay.setObjectName("dropOverlay")
        self.drop_overlay.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_overlay.hide()

    def drag_entered(self, event: QDragEnterEvent) -> None:
        # Drags that start in our own grid are files already in the library.
        if event.source() is None and local_paths(event):
            event.acceptProposedAction()
            window = self.window
            self.drop_overlay.setGeometry(window.centre.geometry().translated(window.splitter.pos()))
            self.drop_overlay.raise_()
            self.drop_overlay.show()
        else:
            event.ignore()

    def drag_left(self) -> None:
        self.drop_overlay.hide()

    def dropped(self, event: QDropEvent) -> None:
        self.drop_overlay.hide()
        paths = local_paths(event)
        if event.source() is not None or not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.start(paths)

    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self.window, "Import files", "", "Images, sounds, videos, PDFs and fonts (*);;All files (*)"
        )
        if files:
            self.start([Path(f) for f in files])

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "Import folder")
        if folder:
            self.start([Path(folder)])

    def start(self, paths: Sequence[Path], mode: ImportMode | None = None) -> ImportJob | None:
        window = self.window
        if self.job is not None:
            window.statusBar().showMessage(
                "An import is already running; wait for it or cancel it first.", 6000
            )
            return None
        any_file = read_bool(window.settings, ANY_FILE_KEY)
        job = ImportJob(window.client, paths, mode or self.mode, window, any_file=any_file)
        self.job = job
        job.assets_ready.connect(self._on_assets_ready)
        job.completed.connect(self._on_completed)
        job.crashed.connect(self._on_crashed)
        window.jobs.add(job)
        window.import_panel.track(job)
        window.tasks.add(job.start())
        return job

    def enqueue(self, paths: Sequence[Path]) -> None:
        """Import `paths` now, or as soon as the running import has ended."""
        self.waiting.extend(Path(p) for p in paths if Path(p) not in self.waiting)
        self._start_waiting()

    def _start_waiting(self) -> None:
        if self.job is None and self.waiting:
            paths, self.waiting = self.waiting, []
            self.start(paths)

    def quitting(self) -> None:
        """The window closes: cancel the import now, and remember it for the next window."""
        job = self.job
        if job is not None and job.running and not job.cancelling:
            interrupted_import.remember(
                self.window.settings, self.window.client.library_path, [*job.paths, *self.waiting], job.mode
            )
            job.cancel()

    def resume_interrupted(self) -> ImportJob | None:
        """Start again the import that was running when the last window on this library closed."""
        found = interrupted_import.take(self.window.settings, self.window.client.library_path)
        if found is None or self.job is not None:
            return None
        paths, mode = found
        job = self.start(paths, "reference" if mode == "reference" else "copy")
        self.window.statusBar().showMessage(
            "Resuming the import that was running when dam-desktop quit", 8000
        )
        return job

    def _on_assets_ready(self, entity_ids: list[int]) -> None:
        """New tiles appear while the import runs, where the current order puts them."""
        window = self.window
        if window.view_key == LIBRARY_VIEW and not window.search_text and window.custom_query is None:
            newest_first = window.sort == SortKey.ADDED and window.descending
            window.model.insert_ids(
                list(reversed(entity_ids)) if newest_first else entity_ids, at_start=newest_first
            )
            window.grid.retry_thumbnails(entity_ids)
        counts = window.counts
        window.show_counts(replace(counts, assets=counts.assets + len(entity_ids)))

    def _on_completed(self, report: Any) -> None:
        from dam_desktop.ui.jobs.import_report_dialog import ImportReportDialog, report_summary

        window = self.window
        self.job = None
        window.import_panel.finish()
        window.statusBar().showMessage(report_summary(report), 10000)
        window.tasks.spawn(window.reload())
        self._start_waiting()
        if report.failed or report.cancelled or report.duplicates or len(report.imported) > 0:
            window.report_dialog = ImportReportDialog(report, window)
            window.report_dialog.open()

    def _on_crashed(self, message: str) -> None:
        window = self.window
        self.job = None
        window.import_panel.finish()
        window.tasks.spawn(window.reload())
        self._start_waiting()
        QMessageBox.critical(window, "Import failed", f"The import stopped with an error:\n\n{message}")
