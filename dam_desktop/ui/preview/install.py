"""View › Quick Preview (Space over the grid; a selected sound or clip plays instead) and
View › Full-Screen Viewer (F11)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from dam_desktop.ui.preview.overlay import PreviewOverlay

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow


def space(window: MainWindow, overlay: PreviewOverlay) -> None:
    """Space over the grid: a sound or a clip shown in the inspector plays or pauses there, as in
    every media app; anything else opens (or closes) the preview."""
    if overlay.showing:
        overlay.close_preview()
        return
    index = window.grid.currentIndex()
    info = window.model.info_at(index.row()) if index.isValid() else None
    if info is not None and info.asset_type in ("audio", "video") and window.inspector.shows(info.entity_id):
        window.inspector.toggle_playback()
    else:
        overlay.open()


def install_preview(window: MainWindow, view_menu: QMenu) -> PreviewOverlay:
    overlay = PreviewOverlay(window)
    quick = QAction("Quick &Preview", window)
    quick.setShortcut(QKeySequence(Qt.Key.Key_Space))
    # Only over the grid: Space still types a space in the search box and the tag editor.
    quick.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    quick.triggered.connect(lambda: space(window, overlay))
    window.grid.addAction(quick)
    full = QAction("&Full-Screen Viewer", window)
    full.setShortcut(QKeySequence(Qt.Key.Key_F11))
    full.triggered.connect(
        lambda: overlay.toggle_full_screen() if overlay.showing else overlay.open(full_screen=True)
    )
    view_menu.addSeparator()
    view_menu.addActions([quick, full])
    return overlay
