"""View › Quick Preview (Space over the grid; a selected sound or clip plays instead) and
View › Full-Screen Viewer (F11). The overlay is made the first time it opens: the window paints
its first grid sooner without it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from dam_desktop.ui.preview.overlay import PreviewOverlay
    from dam_desktop.ui.window.main_window import MainWindow


class LazyPreview:
    """The window's preview overlay, made on first use; `setup` is called on it once made
    (Preferences gives it the backdrop, loop and volume settings)."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._overlay: PreviewOverlay | None = None
        self.setup: Callable[[PreviewOverlay], None] = lambda _overlay: None

    @property
    def overlay(self) -> PreviewOverlay:
        if self._overlay is None:
            from dam_desktop.ui.preview.overlay import PreviewOverlay

            self._overlay = PreviewOverlay(self._window)
            self.setup(self._overlay)
        return self._overlay

    @property
    def made(self) -> PreviewOverlay | None:
        """The overlay, if it was made."""
        return self._overlay

    @property
    def showing(self) -> bool:
        return self._overlay is not None and self._overlay.showing


def space(window: MainWindow, preview: LazyPreview) -> None:
    """Space over the grid: a sound or a clip shown in the inspector plays or pauses there, as in
    every media app; anything else opens (or closes) the preview."""
    if preview.showing:
        preview.overlay.close_preview()
        return
    index = window.grid.currentIndex()
    info = window.model.info_at(index.row()) if index.isValid() else None
    if info is not None and info.asset_type in ("audio", "video") and window.inspector.shows(info.entity_id):
        window.inspector.toggle_playback()
    else:
        preview.overlay.open()


def full_screen(preview: LazyPreview) -> None:
    if preview.showing:
        preview.overlay.toggle_full_screen()
    else:
        preview.overlay.open(full_screen=True)


def install_preview(window: MainWindow, view_menu: QMenu) -> LazyPreview:
    preview = LazyPreview(window)
    quick = QAction("Quick &Preview", window)
    quick.setShortcut(QKeySequence(Qt.Key.Key_Space))
    # Only over the grid: Space still types a space in the search box and the tag editor.
    quick.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    quick.triggered.connect(lambda: space(window, preview))
    window.grid.addAction(quick)
    full = QAction("&Full-Screen Viewer", window)
    full.setShortcut(QKeySequence(Qt.Key.Key_F11))
    full.triggered.connect(lambda: full_screen(preview))
    view_menu.addSeparator()
    view_menu.addActions([quick, full])
    return preview
