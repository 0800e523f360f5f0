"""The window's notice that the library's database is damaged.

The world marks the library read-only on the first sign of damage (`core.database_health`), on
open or at any later moment; this module shows it once, in words, with the next step, and keeps a
"read-only" mark in the status bar while the window is open.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QMessageBox

if TYPE_CHECKING:
    from dam_desktop.core.database_health import DamageGuard
    from dam_desktop.ui.window.main_window import MainWindow


def repair_command(guard: DamageGuard) -> str:
    return f'dam-desktop --library "{guard.db_path.parent}" repair'


class DamagedLibraryNotice(QObject):
    # Emitted on the world thread that saw the damage; delivered queued on the GUI thread.
    found = Signal()

    def __init__(self, window: MainWindow, guard: DamageGuard) -> None:
        super().__init__(window)
        self.window = window
        self.guard = guard
        self.dialog: QMessageBox | None = None
        self.found.connect(self._on_found, Qt.ConnectionType.QueuedConnection)
        guard.add_listener(lambda _message: self.found.emit())

    def _on_found(self) -> None:
        if self.dialog is not None:
            return
        badge = QLabel("Read-only: database damaged", self.window)
        badge.setObjectName("damagedLibraryBadge")
        badge.setStyleSheet("color: palette(highlighted-text); background: #b3261e; padding: 1px 8px;")
        badge.setToolTip(f"Repair it with: {repair_command(self.guard)}")
        self.window.statusBar().addPermanentWidget(badge)
        self.dialog = build_dialog(self.window, self.guard)
        # After the current event: the window finishes painting behind the dialog first.
        QTimer.singleShot(0, self.dialog.open)


def build_dialog(window: MainWindow, guard: DamageGuard) -> QMessageBox:
    name = guard.db_path.parent.name or str(guard.db_path.parent)
    box = QMessageBox(window)
    box.setObjectName("damagedLibraryDialog")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Library database damaged")
    box.setText(f"<b>The database of the library “{name}” is damaged.</b>")
    box.setInformativeText(
        "The library stays open <b>read-only</b>: you can browse and search what can still be read, "
        "but nothing more is written to it, so the damage cannot spread.<br><br>"
        "To rebuild it, quit dam-desktop and run:"
        # One unbroken line: a command wrapped at its spaces reads as two.
        f"<p style='white-space: pre; font-family: monospace'>  {html.escape(repair_command(guard))}</p>"
        "Repair copies every row that can still be read into a new database, says what was lost, "
        "and keeps the damaged file beside it."
    )
    box.setDetailedText(f"Database: {guard.db_path}\nSQLite reported: {guard.detail}")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    copy = box.addButton("Copy Repair Command", QMessageBox.ButtonRole.ActionRole)
    copy.clicked.disconnect()  # an action button would close the box; copying should not
    copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(repair_command(guard)))
    close = box.addButton(QMessageBox.StandardButton.Close)
    box.setDefaultButton(close)
    box.setEscapeButton(close)
    return box


def install_damaged_library_notice(window: MainWindow) -> DamagedLibraryNotice:
    """Watch the window's open world for damage; show the notice when it is found."""
    notice = DamagedLibraryNotice(window, window.client.world.damage)
    window.damaged_library_notice = notice  # type: ignore[attr-defined]
    return notice
