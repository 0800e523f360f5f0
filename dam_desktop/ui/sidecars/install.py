"""Wires Write Tags to Sidecars into a `MainWindow`: `install_sidecars(window)` adds the Library
menu's item; it opens the dialog, which runs a `SidecarJob` (shown in the status bar's jobs too)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from dam_desktop.ui.sidecars.sidecar_job import SidecarJob
from dam_desktop.ui.sidecars.sidecars_dialog import SidecarsDialog

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.use_cases.sidecars import SidecarReport

MENU_TEXT = "Write Tags to &Sidecars…"


class SidecarsUI(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: SidecarsDialog | None = None
        self.job: SidecarJob | None = None
        self.selection: list[int] = []
        menu = window.library_menu.menu
        menu.addSeparator()
        self.action = menu.addAction(MENU_TEXT)
        self.action.setStatusTip(
            "Write the tags, rating and label of the selection or of every asset to .xmp sidecars "
            "that digiKam, darktable and Lightroom read"
        )
        self.action.triggered.connect(lambda: self.open_dialog())

    def open_dialog(self) -> SidecarsDialog:
        if self.dialog is not None and self.job is not None:
            self.dialog.raise_()
            return self.dialog
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.selection = self.window.selected_ids()
        dialog = SidecarsDialog(self.window.client.paths.root, len(self.selection), self.window)
        dialog.start_requested.connect(self.start)
        dialog.stop_requested.connect(self.stop)
        self.dialog = dialog
        dialog.show()
        return dialog

    def start(self, dry_run: bool, everything: bool) -> SidecarJob | None:
        if self.job is not None or self.dialog is None:
            return None
        ids = None if everything else self.selection
        job = SidecarJob(self.window.client, ids, dry_run=dry_run, parent=self)
        dialog = self.dialog
        job.progressed.connect(dialog.progressed)
        job.completed.connect(lambda report: self._completed(dialog, report))
        job.crashed.connect(dialog.failed_with)
        job.finished.connect(lambda: self._finished(job))
        self.job = job
        dialog.running(dry_run)
        self.window.jobs.add(job)
        # In the window's tasks: closing the window cancels and awaits it before the library closes.
        job.start(self.window.tasks.spawn)
        return job

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
            if self.dialog is not None:
                self.dialog.stopping()

    def _completed(self, dialog: SidecarsDialog, report: SidecarReport) -> None:
        dialog.finished_with(report)
        self.window.statusBar().showMessage(report.summary(), 10_000)

    def _finished(self, job: SidecarJob) -> None:
        if self.job is job:
            self.job = None


def install_sidecars(window: MainWindow) -> SidecarsUI:
    return SidecarsUI(window)
