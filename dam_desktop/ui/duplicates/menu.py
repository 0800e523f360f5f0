"""Library › Find Duplicates… (Ctrl+Shift+D). The view and the use cases behind it (numpy,
SQLAlchemy) are imported on first use: the window's first paint stays light."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow


def _open(window: MainWindow) -> None:
    from dam_desktop.ui.duplicates.duplicates_view import open_duplicates

    open_duplicates(window)


def install_duplicates_menu(window: MainWindow, menu: QMenu) -> QAction:
    menu.addSeparator()
    action = menu.addAction("Find &Duplicates…")
    action.setObjectName("findDuplicatesAction")
    action.setShortcut(QKeySequence("Ctrl+Shift+D"))
    action.triggered.connect(lambda: _open(window))
    return action
