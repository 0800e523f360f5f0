"""Library › Back Up Now… and scheduled backups (daily or weekly), run in the background.

Where and how often are kept in QSettings. A backup is due when the chosen period has passed since
the last one; it starts once the user has left keyboard and mouse alone for `IDLE_BEFORE_BACKUP_S`
(checked every `CHECK_EVERY_MS`), so a scheduled backup does not compete with work in progress. The
copy itself runs off the GUI thread (`use_cases.backup`), and the library stays open and writable.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from dam_desktop.core.errors import DamError
from dam_desktop.use_cases.backup import back_up_library

if TYPE_CHECKING:
    from dam_desktop.core.library_backup import BackupReport
    from dam_desktop.ui.window.main_window import MainWindow

SCHEDULE_KEY = "backup/schedule"
FOLDER_KEY = "backup/folder"
LAST_KEY = "backup/last_epoch_s"
SCHEDULES: dict[str, float | None] = {"off": None, "daily": 86_400.0, "weekly": 7 * 86_400.0}
SCHEDULE_LABELS = {"off": "&Off", "daily": "&Daily", "weekly": "&Weekly"}
IDLE_BEFORE_BACKUP_S = 120.0
CHECK_EVERY_MS = 60_000
_INPUT_EVENTS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel})


def backup_due(settings: QSettings, now: float) -> bool:
    period = SCHEDULES.get(str(settings.value(SCHEDULE_KEY, "off")))
    if period is None or not settings.value(FOLDER_KEY, ""):
        return False
    return now - float(str(settings.value(LAST_KEY, 0.0) or 0.0)) >= period


class ScheduledBackup(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.settings: QSettings = window.settings
        self.running = False
        self.task: asyncio.Future[BackupReport | None] | None = None
        self.last_input = time.monotonic()
        menu = window.library_menu.menu
        menu.addSeparator()
        self.back_up_now = QAction("&Back Up Now…", menu)
        self.back_up_now.triggered.connect(self._back_up_now)
        menu.addAction(self.back_up_now)
        schedule_menu = menu.addMenu("Scheduled &Backup")
        group = QActionGroup(schedule_menu)
        current = str(self.settings.value(SCHEDULE_KEY, "off"))
        for key, label in SCHEDULE_LABELS.items():
            action = QAction(label, schedule_menu, checkable=True)
            action.setChecked(key == current)
            action.triggered.connect(lambda _checked=False, chosen=key: self._set_schedule(chosen))
            group.addAction(action)
            schedule_menu.addAction(action)
        schedule_menu.addSeparator()
        folder = schedule_menu.addAction("Backup &Folder…")
        folder.triggered.connect(self._choose_folder)
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self._check)
        self.timer.start()
        QApplication.instance().installEventFilter(self)  # type: ignore[union-attr]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self.last_input = time.monotonic()
        return False

    def _check(self) -> None:
        idle = time.monotonic() - self.last_input >= IDLE_BEFORE_BACKUP_S
        if idle and not self.running and backup_due(self.settings, time.time()):
            self._start(Path(str(self.settings.value(FOLDER_KEY))), scheduled=True)

    def _set_schedule(self, key: str) -> None:
        self.settings.setValue(SCHEDULE_KEY, key)
        if key != "off" and not self.settings.value(FOLDER_KEY, ""):
            self._choose_folder()

    def _choose_folder(self) -> Path | None:
        start = str(self.settings.value(FOLDER_KEY, "") or self.window.client.library_path.parent)
        chosen = QFileDialog.getExistingDirectory(self.window, "Folder for library backups", start)
        if not chosen:
            return None
        self.settings.setValue(FOLDER_KEY, chosen)
        return Path(chosen)

    def _back_up_now(self) -> None:
        folder = self._choose_folder()
        if folder is not None:
            self._start(folder, scheduled=False)

    def _start(self, folder: Path, *, scheduled: bool) -> None:
        self.task = asyncio.ensure_future(self.run(folder, scheduled=scheduled))

    async def run(self, folder: Path, *, scheduled: bool) -> BackupReport | None:
        """Back the library up into `folder`/<library name>, stored files included."""
        if self.running:
            return None
        self.running = True
        self.back_up_now.setEnabled(False)
        destination = folder / self.window.client.library_path.name
        status = self.window.statusBar()
        status.showMessage(f"Backing up the library to {destination}…")
        try:
            report = await self.window.client.call(
                lambda world: back_up_library(world, destination, with_store=True)
            )
        except (DamError, OSError) as exc:
            status.clearMessage()
            if not scheduled:
                QMessageBox.warning(self.window, "Backup failed", str(exc))
            else:
                status.showMessage(f"Scheduled backup failed: {exc}", 15_000)
            return None
        finally:
            self.running = False
            self.back_up_now.setEnabled(True)
        self.settings.setValue(LAST_KEY, time.time())
        store = report.store
        files = f", {store.linked + store.copied} new stored files" if store is not None else ""
        status.showMessage(f"Backed up to {destination} ({report.seconds:.1f} s{files})", 10_000)
        return report


def install_scheduled_backup(window: MainWindow) -> ScheduledBackup:
    """Add Back Up Now… and Scheduled Backup to the Library menu, and start the schedule's timer."""
    controller = ScheduledBackup(window)
    window.scheduled_backup = controller  # type: ignore[attr-defined]
    return controller
