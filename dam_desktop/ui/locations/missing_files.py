"""Wires the check for missing files into a `MainWindow`: `install_missing_files(window)`.

- Library › Check for Missing Files… runs the check as a job: the status bar shows its progress
  with a Stop button; at the end a report lists each missing or changed file and why, with
  Relink From Folder… (moved files, found by content) and Show Missing in Grid.
- Library › Check Automatically › Never / Weekly (QSettings). Weekly runs the same job in the
  background once the window has been open a while and the user is idle, never on the start-up
  path; the last run is remembered per library. It shows its report only when something went
  missing since the check before.
- Tiles of assets the last check marked are dimmed with a MISSING / CHANGED mark, and their
  tooltip says why. The marks are read from the library (a query, not the disk) once the world
  is open, and again after each check or relink.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtGui import QAction, QActionGroup, QHelpEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QToolButton, QToolTip, QWidget

from dam_desktop.ui.jobs.jobs import ImportJob
from dam_desktop.ui.locations.location_jobs import CheckJob, LocationJob, RelinkJob
from dam_desktop.ui.locations.missing_files_dialog import MissingFilesDialog, check_status, relink_summary
from dam_desktop.ui.window.context_menu import LIBRARY_VIEW
from dam_desktop.use_cases import library

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.use_cases.locations import CheckReport, RelinkReport

SCHEDULE_KEY = "missing_files/schedule"
LAST_RUN_PREFIX = "missing_files/last_check/"
SCHEDULES = {"never": "Never", "weekly": "Weekly"}
WEEK = timedelta(days=7)
# The scheduled check waits this long after the window opened, then for the user to be idle.
AUTO_CHECK_DELAY_MS = 30_000
IDLE_MS = 10_000
RETRY_MS = 60_000
WATCHED = "missingFilesWatched"
MISSING_QUERY = "has:missing-file"
CHANGED_QUERY = "has:changed-file"


def _ask_for_folder(parent: QWidget) -> Path | None:
    folder = QFileDialog.getExistingDirectory(parent, "Find moved files in folder (subfolders included)")
    return Path(folder) if folder else None


def _ago(moment: datetime, now: datetime) -> str:
    days = (now - moment).days
    if days < 1:
        return "today"
    return "yesterday" if days == 1 else f"{days} days ago"


class _InputWatcher(QObject):
    """When the user last pressed a key, clicked or scrolled anywhere in the app."""

    INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel})

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.last_input = time.monotonic()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self.INPUT:
            self.last_input = time.monotonic()
        return False

    def idle_ms(self) -> float:
        return (time.monotonic() - self.last_input) * 1000


class MissingFilesUI(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.client = window.client
        self.settings: QSettings = window.settings
        self.job: LocationJob | None = None
        self.last_report: CheckReport | None = None
        self.dialog: MissingFilesDialog | None = None
        self.reasons: dict[int, tuple[str, str]] = {}
        self.choose_folder: Callable[[QWidget], Path | None] = _ask_for_folder
        self.input = _InputWatcher(self)
        self._build_menu()
        self._build_stop_button()
        window.grid.viewport().installEventFilter(self)
        self.auto_timer = QTimer(self)
        self.auto_timer.setSingleShot(True)
        self.auto_timer.timeout.connect(self._on_auto_timer)
        window.jobs.changed.connect(self._watch_imports)

    def _watch_imports(self) -> None:
        """An import of a marked asset's file clears its mark (the import service does); the
        tiles follow once the import is done."""
        for job in self.window.jobs.jobs:
            if isinstance(job, ImportJob) and not job.property(WATCHED):
                job.setProperty(WATCHED, True)
                job.completed.connect(self._on_import_completed)

    def _on_import_completed(self, _report: object) -> None:
        if self.reasons:
            self.window.tasks.spawn(self.load_marks())

    # menu and status bar ------------------------------------------------------------------------
    def _build_menu(self) -> None:
        menu = self.window.library_menu.menu
        menu.addSeparator()
        self.check_action = menu.addAction("Check for &Missing Files…")
        self.check_action.setStatusTip("Look at every file the library expects, and list those not found")
        self.check_action.triggered.connect(lambda: self.start_check())
        self.verify_action = menu.addAction("&Verify Files' Contents…")
        self.verify_action.setStatusTip(
            "Check for missing files and re-read every file to find damaged or altered ones (slower)"
        )
        self.verify_action.triggered.connect(lambda: self.start_check(verify=True))
        self.schedule_menu = menu.addMenu("Check Automatically")
        self.last_run_action = self.schedule_menu.addAction("")
        self.last_run_action.setEnabled(False)
        self.schedule_menu.addSeparator()
        group = QActionGroup(self)
        self.schedule_actions: dict[str, QAction] = {}
        for key, text in SCHEDULES.items():
            action = self.schedule_menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(key == self.schedule)
            action.triggered.connect(lambda _checked=False, chosen=key: self.set_schedule(chosen))
            group.addAction(action)
            self.schedule_actions[key] = action
        self.schedule_menu.aboutToShow.connect(self._update_last_run_text)
        self._update_last_run_text()

    def _build_stop_button(self) -> None:
        self.stop_button = QToolButton(self.window)
        self.stop_button.setObjectName("stopJobButton")
        self.stop_button.setText("Stop")
        self.stop_button.setAutoRaise(True)
        self.stop_button.clicked.connect(self.cancel)
        self.stop_button.hide()
        # Third of the status bar's permanent widgets: after the jobs indicator's label and bar,
        # before the counts.
        self.window.statusBar().insertPermanentWidget(2, self.stop_button)

    def _update_last_run_text(self) -> None:
        last = self.last_run()
        text = "Last checked: never" if last is None else f"Last checked: {_ago(last, datetime.now(UTC))}"
        self.last_run_action.setText(text)

    # schedule -----------------------------------------------------------------------------------
    @property
    def schedule(self) -> str:
        value = str(self.settings.value(SCHEDULE_KEY, "never"))
        return value if value in SCHEDULES else "never"

    def set_schedule(self, key: str) -> None:
        self.settings.setValue(SCHEDULE_KEY, key)
        self.schedule_actions[key].setChecked(True)
        if key != "never":
            self.arm_schedule()

    def _last_run_key(self) -> str:
        # One key per library: QSettings keys cannot hold a path's slashes.
        digest = hashlib.sha1(str(self.client.library_path).encode(), usedforsecurity=False).hexdigest()
        return LAST_RUN_PREFIX + digest[:16]

    def last_run(self) -> datetime | None:
        value = self.settings.value(self._last_run_key())
        try:
            return datetime.fromisoformat(str(value)) if value else None
        except ValueError:
            return None

    def record_run(self, when: datetime | None = None) -> None:
        self.settings.setValue(self._last_run_key(), (when or datetime.now(UTC)).isoformat())

    def is_due(self, now: datetime | None = None) -> bool:
        if self.schedule != "weekly":
            return False
        last = self.last_run()
        return last is None or (now or datetime.now(UTC)) - last >= WEEK

    def arm_schedule(self, delay_ms: int = AUTO_CHECK_DELAY_MS) -> None:
        """Start waiting for a quiet moment to run a due scheduled check."""
        if not self.is_due():
            return
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.input)
        self.auto_timer.start(delay_ms)

    def _disarm(self) -> None:
        self.auto_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.input)

    def _on_auto_timer(self) -> None:
        if not self.is_due():
            self._disarm()
            return
        if self.job is not None or self.window.jobs.busy or self.input.idle_ms() < IDLE_MS:
            self.auto_timer.start(RETRY_MS)
            return
        self._disarm()
        self.start_check(scheduled=True)

    # the check ----------------------------------------------------------------------------------
    def start_check(self, *, scheduled: bool = False, verify: bool = False) -> CheckJob | None:
        if self.job is not None:
            self.window.statusBar().showMessage(
                "A check or relink of missing files is running already.", 6000
            )
            return None
        job = CheckJob(self.client, self, scheduled=scheduled, verify=verify)
        job.completed.connect(lambda report: self._on_check_completed(job, report))
        job.crashed.connect(lambda message: self._on_crashed("The check for missing files", message))
        self._start(job)
        return job

    def _start(self, job: LocationJob) -> None:
        self.job = job
        job.finished.connect(lambda: self._on_job_finished(job))
        self.window.jobs.add(job)
        self.stop_button.setToolTip(
            "Stop checking for missing files" if isinstance(job, CheckJob) else "Stop"
        )
        self.stop_button.setEnabled(True)
        self.stop_button.show()
        # In the window's own tasks: its shutdown cancels and awaits them, which stops the job
        # (cooperatively, see `location_jobs`) before the library closes.
        job.start(self.window.tasks.spawn)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.stop_button.setEnabled(False)

    def _on_job_finished(self, job: LocationJob) -> None:
        if self.job is job:
            self.job = None
            self.stop_button.hide()

    def _on_crashed(self, what: str, message: str) -> None:
        QMessageBox.critical(self.window, "Check failed", f"{what} stopped with an error:\n\n{message}")
        if self.dialog is not None:
            self.dialog.relink_finished(None)

    def _on_check_completed(self, job: CheckJob, report: CheckReport) -> None:
        before = set(self.reasons)
        if not report.cancelled or job.scheduled:
            self.record_run()
        self.last_report = report
        self.window.tasks.spawn(self.load_marks())
        newly_missing = set(report.missing_assets) - before
        if job.scheduled and not newly_missing:
            self.window.statusBar().showMessage(check_status(report, weekly=True), 12_000)
            return
        self.window.statusBar().showMessage(check_status(report), 10_000)
        self.show_report(report)

    def show_report(self, report: CheckReport) -> MissingFilesDialog:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        dialog = MissingFilesDialog(report, self.window)
        dialog.relink_requested.connect(self.relink_from_folder)
        dialog.show_in_grid_requested.connect(lambda: self.window.tasks.spawn(self.show_missing_in_grid()))
        self.dialog = dialog
        dialog.show()
        return dialog

    # relinking ----------------------------------------------------------------------------------
    def relink_from_folder(self) -> RelinkJob | None:
        dialog = self.dialog
        if dialog is None:
            return None
        if self.job is not None:
            self.window.statusBar().showMessage("Wait for the running check to finish first.", 6000)
            return None
        problems = [p for p in dialog.problems if p.relinkable]
        if not problems:
            return None
        folder = self.choose_folder(dialog)
        if folder is None:
            return None
        job = RelinkJob(self.client, folder, problems, self)
        job.completed.connect(self._on_relink_completed)
        job.crashed.connect(lambda message: self._on_crashed("The relink", message))
        dialog.relink_started()
        self._start(job)
        return job

    def _on_relink_completed(self, report: RelinkReport) -> None:
        if self.dialog is not None:
            self.dialog.relink_finished(report)
        self.window.statusBar().showMessage(relink_summary(report), 10_000)
        # Their tile facts name the old paths (open, reveal, drag out): read them again.
        ids = report.relinked_ids
        self.window.model.forget_infos(ids)
        self.window.model.request_infos([i for i in ids if self.window.model.row_of(i) >= 0])
        self.window.tasks.spawn(self.load_marks())

    # the grid -----------------------------------------------------------------------------------
    async def load_marks(self) -> None:
        """Read which assets the last check marked, and mark their tiles."""

        self.reasons = await self.client.call(library.missing_marks)
        self.window.grid.delegate.file_problems = {eid: problem for eid, (problem, _) in self.reasons.items()}
        self.window.grid.viewport().update()

    async def show_missing_in_grid(self) -> None:
        """The library view, searching for the marked assets (the query stays in the search box)."""
        window = self.window
        changed = any(problem == "changed" for problem, _ in self.reasons.values())
        query = f"{MISSING_QUERY} | {CHANGED_QUERY}" if changed else MISSING_QUERY
        if window.view_key != LIBRARY_VIEW:
            window.sidebar.select_view(LIBRARY_VIEW)
        window.controls.show_text(query)
        if window.search_text == query:
            window.custom_query = None
            await window.reload()
        else:
            await window.apply_search(query)
        window.raise_()
        window.activateWindow()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent) and self.reasons:
            index = self.window.grid.indexAt(event.pos())
            if index.isValid():
                entity_id = self.window.model.entity_id(index.row())
                mark = self.reasons.get(entity_id)
                if mark is not None:
                    info = self.window.model.info(entity_id)
                    problem, reason = mark
                    what = "File changed" if problem == "changed" else "File missing"
                    name = f"{info.filename}\n" if info is not None else ""
                    QToolTip.showText(
                        event.globalPos(), f"{name}{what}: {reason}", self.window.grid.viewport()
                    )
                    return True
        return False


def install_missing_files(window: Any) -> MissingFilesUI:
    """Add the check for missing files to `window` (a MainWindow whose world is open)."""
    ui = MissingFilesUI(window)
    ui.window.tasks.spawn(ui.load_marks())
    ui.arm_schedule()
    return ui
