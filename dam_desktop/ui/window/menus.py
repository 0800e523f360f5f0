"""The window's menu bar: File (import and its mode), Edit (undo, remove), View (zoom, sort,
inspector, the preview on Space and the full-screen viewer), Library, Help."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QStyle

from dam_desktop.services.search.sorting import SortKey
from dam_desktop.ui.duplicates.menu import install_duplicates_menu
from dam_desktop.ui.help.menu import HelpMenu
from dam_desktop.ui.models.menu import install_models_menu
from dam_desktop.ui.preferences.install import Preferences
from dam_desktop.ui.preview.install import LazyPreview, install_preview
from dam_desktop.ui.window import results
from dam_desktop.ui.window.library_menu import LibraryMenu

if TYPE_CHECKING:
    from dam_desktop.services.ingest.import_service import ImportMode
    from dam_desktop.ui.preview.overlay import PreviewOverlay
    from dam_desktop.ui.window.main_window import MainWindow

IMPORT_MODES: dict[ImportMode, str] = {
    "copy": "Copy Files into the Library",
    "reference": "Link to Files Where They Are",
}


@dataclass
class Menus:
    mode_actions: dict[str, QAction]
    sort_actions: dict[SortKey, QAction]
    remove_action: QAction
    inspector_action: QAction
    library_menu: LibraryMenu
    previews: LazyPreview
    help: HelpMenu

    @property
    def preview(self) -> PreviewOverlay:
        """The preview overlay (made now if it was not yet)."""
        return self.previews.overlay


def _reveal(folder: Path) -> None:
    from dam_desktop.ui.window.actions.files import open_path

    open_path(folder)


def build_menus(window: MainWindow) -> Menus:
    menu_bar = window.menuBar()
    style = window.style()
    file_menu = menu_bar.addMenu("&File")
    import_files = file_menu.addAction(
        style.standardIcon(QStyle.StandardPixmap.SP_FileIcon), "&Import Files…"
    )
    import_files.setShortcut(QKeySequence("Ctrl+I"))
    import_files.triggered.connect(window.importer.choose_files)
    import_folder = file_menu.addAction(
        style.standardIcon(QStyle.StandardPixmap.SP_DirIcon), "Import &Folder…"
    )
    import_folder.setShortcut(QKeySequence("Ctrl+Shift+I"))
    import_folder.triggered.connect(window.importer.choose_folder)
    mode_menu = file_menu.addMenu("When Importing")
    mode_group = QActionGroup(window)
    mode_actions: dict[str, QAction] = {}
    for mode, text in IMPORT_MODES.items():
        action = mode_menu.addAction(text)
        action.setCheckable(True)
        action.setChecked(mode == window.importer.mode)
        action.triggered.connect(lambda _checked=False, chosen=mode: window.set_import_mode(chosen))
        mode_group.addAction(action)
        mode_actions[mode] = action
    file_menu.addSeparator()
    quit_action = file_menu.addAction("&Quit")
    quit_action.setShortcut(QKeySequence.StandardKey.Quit)
    quit_action.triggered.connect(window.close)

    edit_menu = menu_bar.addMenu("&Edit")
    stack = window.actions_menu.undo_stack
    undo, redo = stack.createUndoAction(window, "&Undo"), stack.createRedoAction(window, "&Redo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo.setShortcut(QKeySequence.StandardKey.Redo)
    edit_menu.addActions([undo, redo])
    edit_menu.addSeparator()
    select_all = edit_menu.addAction("Select &All")
    select_all.setShortcut(QKeySequence.StandardKey.SelectAll)
    select_all.triggered.connect(window.grid.selectAll)
    results.select_arrivals_of_a_whole_selection(window.grid, window.model)
    find = edit_menu.addAction("&Find")
    find.setShortcut(QKeySequence.StandardKey.Find)
    find.triggered.connect(window.controls.focus_search)
    edit_menu.addSeparator()
    remove_action = edit_menu.addAction(
        style.standardIcon(QStyle.StandardPixmap.SP_TrashIcon), "&Remove from Library…"
    )
    remove_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
    remove_action.triggered.connect(window.actions_menu.remove_or_delete)

    view_menu = menu_bar.addMenu("&View")
    grid = window.grid
    zoom_in = view_menu.addAction("Zoom &In")
    zoom_in.setShortcut(QKeySequence.StandardKey.ZoomIn)
    zoom_in.triggered.connect(lambda: grid.set_tile_size(round(grid.tile_size * 1.25)))
    zoom_out = view_menu.addAction("Zoom &Out")
    zoom_out.setShortcut(QKeySequence.StandardKey.ZoomOut)
    zoom_out.triggered.connect(lambda: grid.set_tile_size(round(grid.tile_size / 1.25)))
    view_menu.addSeparator()
    sort_menu = view_menu.addMenu("Sort By")
    sort_group = QActionGroup(window)
    sort_actions: dict[SortKey, QAction] = {}
    for key in SortKey:
        action = sort_menu.addAction(key.label)
        action.setCheckable(True)
        action.setChecked(key == window.sort)
        action.triggered.connect(
            lambda _checked=False, chosen=key: window.sort_box.setCurrentIndex(list(SortKey).index(chosen))
        )
        sort_group.addAction(action)
        sort_actions[key] = action
    view_menu.addSeparator()
    toggle_inspector = view_menu.addAction("Show &Inspector")
    toggle_inspector.setCheckable(True)
    toggle_inspector.setChecked(True)
    toggle_inspector.setShortcut(QKeySequence("Ctrl+Alt+I"))
    toggle_inspector.toggled.connect(window.inspector.setVisible)

    library_menu = LibraryMenu(window, window.settings, window.client.library_path)
    library_menu.open_requested.connect(window.library_requested)
    library_menu.reveal.triggered.connect(lambda: _reveal(window.client.library_path))
    menu_bar.addMenu(library_menu.menu)
    install_duplicates_menu(window, library_menu.menu)
    install_models_menu(window)

    preview = install_preview(window, view_menu)
    Preferences(window, edit_menu, preview)
    help_menu = HelpMenu(window)
    return Menus(
        mode_actions, sort_actions, remove_action, toggle_inspector, library_menu, preview, help_menu
    )
