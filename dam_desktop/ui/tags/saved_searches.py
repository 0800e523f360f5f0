"""Managing saved searches in the tag sidebar: rename, reorder and delete, each undoable.

Every change is a QUndoCommand on the window's undo stack (Edit › Undo undoes a deleted saved
search as it undoes a tag edit). The library keeps each search's name and query; the order they
are listed in is the user's, kept in their settings per library (the CLI lists them by name).
Database work runs on the world thread, one change after the other in the order they were made.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings
from PySide6.QtGui import QUndoCommand, QUndoStack

from dam_desktop.core.errors import DamError
from dam_desktop.ui.tasks import TaskSet
from dam_desktop.use_cases import search as search_cases

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.services.search.search_service import SavedSearch
    from dam_desktop.ui.world_client import WorldClient


class SavedOrder:
    """The user's order of the saved searches of one library, by name."""

    def __init__(self, settings: QSettings, library: str) -> None:
        self.settings = settings
        digest = hashlib.sha1(library.encode("utf-8", "surrogateescape")).hexdigest()
        self.key = f"search/saved_order_{digest[:16]}"

    def names(self) -> list[str]:
        stored = self.settings.value(self.key, [])
        # An INI file gives back a one-item list as a plain string.
        return (
            [stored]
            if isinstance(stored, str)
            else [str(n) for n in stored]
            if isinstance(stored, list)
            else []
        )

    def set_names(self, names: list[str]) -> None:
        self.settings.setValue(self.key, list(names))

    def arrange(self, saved: list[SavedSearch]) -> list[SavedSearch]:
        """`saved` in the user's order; searches saved since (or elsewhere) come after, by name."""
        rank = {name: n for n, name in enumerate(self.names())}
        return sorted(saved, key=lambda s: (rank.get(s.name, len(rank)), s.name.lower()))


class SavedSearchEdits:
    """Runs saved-search changes on the world thread in order, and pushes them as undoable."""

    def __init__(self, client: WorldClient, order: SavedOrder, undo_stack: QUndoStack) -> None:
        self.client = client
        self.order = order
        self.undo_stack = undo_stack
        self.tasks = TaskSet()
        self._lock: asyncio.Lock | None = None
        self.failed: Callable[[str], None] = lambda _message: None
        self.reordered: Callable[[], None] = lambda: None
        # Shown at once in the list, before the library answers: (old name, new name).
        self.renamed: Callable[[str, str], None] = lambda _old, _new: None

    def run(self, action: Callable[[World], Coroutine[Any, Any, object]]) -> None:
        async def step() -> None:
            if self._lock is None:
                self._lock = asyncio.Lock()
            async with self._lock:
                try:
                    await self.client.call(action)
                except DamError as exc:  # a name taken meanwhile (by the CLI), an empty name
                    self.failed(str(getattr(exc, "message", exc)))

        self.tasks.spawn(step())

    async def idle(self) -> None:
        """Wait for the changes made so far to reach the library."""
        if self._lock is not None:
            async with self._lock:
                return

    def set_order(self, names: list[str]) -> None:
        self.order.set_names(names)
        self.reordered()

    # the verbs ------------------------------------------------------------------------------------
    def rename(self, saved: list[SavedSearch], old: str, new: str) -> None:
        self.undo_stack.push(_Rename(self, [s.name for s in saved], old, " ".join(new.split())))

    def delete(self, saved: list[SavedSearch], name: str) -> None:
        found = next((s for s in saved if s.name == name), None)
        if found is not None:
            self.undo_stack.push(_Delete(self, [s.name for s in saved], found))

    def move(self, saved: list[SavedSearch], new_order: list[str]) -> None:
        before = [s.name for s in saved]
        if new_order != before:
            self.undo_stack.push(_Move(self, before, new_order))


class _Rename(QUndoCommand):
    def __init__(self, edits: SavedSearchEdits, names: list[str], old: str, new: str) -> None:
        super().__init__(f"Rename Saved Search “{old}”")
        self.edits, self.names, self.old, self.new = edits, names, old, new

    def _apply(self, old: str, new: str) -> None:
        from dam_desktop.use_cases.saved_searches import rename_saved_search

        self.edits.renamed(old, new)
        self.edits.set_order([new if n == old else n for n in self.names])
        self.edits.run(lambda world: rename_saved_search(world, old, new))

    def redo(self) -> None:
        self._apply(self.old, self.new)

    def undo(self) -> None:
        self._apply(self.new, self.old)


class _Delete(QUndoCommand):
    def __init__(self, edits: SavedSearchEdits, names: list[str], saved: SavedSearch) -> None:
        super().__init__(f"Delete Saved Search “{saved.name}”")
        self.edits, self.names, self.saved = edits, names, saved

    def redo(self) -> None:
        name = self.saved.name
        self.edits.set_order([n for n in self.names if n != name])
        self.edits.run(lambda world: search_cases.delete_saved_search(world, name))

    def undo(self) -> None:
        name, query = self.saved.name, self.saved.query
        self.edits.set_order(self.names)
        self.edits.run(lambda world: search_cases.save_search(world, name, query))


class _Move(QUndoCommand):
    def __init__(self, edits: SavedSearchEdits, before: list[str], after: list[str]) -> None:
        super().__init__("Reorder Saved Searches")
        self.edits, self.before, self.after = edits, before, after

    def redo(self) -> None:
        self.edits.set_order(self.after)

    def undo(self) -> None:
        self.edits.set_order(self.before)
