"""The grid's context menu and the actions it runs on the selected assets (open, find similar,
remove, ...): what the actions registered in `ui.window.actions` get to work with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMenu

from dam_desktop.ui.window import context_menu
from dam_desktop.ui.window.context_menu import TRASH_VIEW, ActionContext, AssetAction, Selection
from dam_desktop.ui.window.results import selection_scope

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow

MAX_SELECTION_FOR_ACTIONS = 10_000


class AssetActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.last_menu: QMenu | None = None
        # The window's one undo stack (Edit › Undo): removals, restores and the tag edits.
        self.undo_stack = QUndoStack(self)
        window.inspector.restore_requested.connect(self._restore_one)
        # Ctrl+C over the grid: the selected files on the clipboard (the search box keeps its own).
        copy = QAction("Copy", window.grid)
        copy.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        copy.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.triggered.connect(lambda: window.tasks.spawn(self.run_by_key("copy-files")))
        window.grid.addAction(copy)

    def context(self) -> ActionContext:
        window = self.window
        return ActionContext(
            window=window,
            client=window.client,
            confirm=lambda title, text: window.confirm(title, text),
            reload=window.reload,
            show_message=lambda text: window.statusBar().showMessage(text, 6000),
            show_result=window.show_result,  # type: ignore[arg-type]
            undo_stack=self.undo_stack,
            add_job=window.jobs.add,
        )

    async def current_selection(self) -> Selection:
        """The selection as it is now: its ids, view and whole-result scope are read together,
        before the tile facts are fetched (a reload or a view switch meanwhile must not pair
        these ids with another result's scope or view)."""
        window = self.window
        ids = window.selected_ids(limit=MAX_SELECTION_FOR_ACTIONS)
        scope = selection_scope(window, MAX_SELECTION_FOR_ACTIONS, trash=True)
        view = window.view_key
        infos = await window.model.fetch_infos(ids)
        return Selection(ids, [infos[i] for i in ids if i in infos], view, scope)

    def menu_requested(self, pos: QPoint) -> None:
        """A right-click on the grid: the tile under the pointer joins the selection if it is not in it."""
        grid = self.window.grid
        index = grid.indexAt(pos)
        if index.isValid() and not grid.selectionModel().isSelected(index):
            grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.window.tasks.spawn(self._show_menu(grid.viewport().mapToGlobal(pos)))

    async def _show_menu(self, global_pos: Any) -> None:
        selection = await self.current_selection()
        if not len(selection):
            return

        def trigger(action: AssetAction) -> None:
            self.window.tasks.spawn(self.run(action, selection))

        self.last_menu = context_menu.build_menu(self.window, selection, trigger)
        self.last_menu.popup(global_pos)

    async def run(self, action: AssetAction, selection: Selection | None = None) -> None:
        selection = selection if selection is not None else await self.current_selection()
        if action.applies_to(selection):
            await action.run(self.context(), selection)

    async def run_by_key(self, key: str) -> None:
        for action in context_menu.registered_actions():
            if action.key == key:
                await self.run(action)

    def _restore_one(self, entity_id: int) -> None:
        """The inspector's Restore button: that asset back to the library, undoable."""

        async def restore() -> None:
            infos = await self.window.model.fetch_infos([entity_id])
            selection = Selection([entity_id], [infos[entity_id]] if entity_id in infos else [], TRASH_VIEW)
            for action in context_menu.registered_actions():
                if action.key == "restore":
                    await self.run(action, selection)

        self.window.tasks.spawn(restore())

    def remove_or_delete(self) -> None:
        """Delete: into the trash from the library, for good from the trash."""
        key = "remove" if self.window.view_key != TRASH_VIEW else "delete-permanently"
        self.window.tasks.spawn(self.run_by_key(key))
