"""View › Quick Preview (Space over the grid) and View › Full-Screen Viewer (F11)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from dam_desktop.ui.preview.overlay import PreviewOverlay

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow


def install_preview(window: MainWindow, view_menu: QMenu) -> PreviewOverlay:
    overlay = PreviewOverlay(window)
    quick = QAction("Quick &Preview", window)
    quick.setShortcut(QKeySequence(Qt.Key.Key_Space))
    # Only over the grid: Space still types a space in the search box and the tag editor.
    quick.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    quick.triggered.connect(lambda: overlay.close_preview() if overlay.showing else overlay.open())
    window.grid.addAction(quick)
    full = QAction("&Full-Screen Viewer", window)
    full.setShortcut(QKeySequence(Qt.Key.Key_F11))
    full.triggered.connect(
        lambda: overlay.toggle_full_screen() if overlay.showing else overlay.open(full_screen=True)
    )
    view_menu.addSeparator()
    view_menu.addActions([quick, full])
    return overlay
