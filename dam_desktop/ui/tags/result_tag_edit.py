"""A tag edit over a whole search result (Select All over more assets than the editor lists): the
query is tagged or untagged in SQL, and undo reverts exactly the links it changed."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from PySide6.QtGui import QUndoCommand

from dam_desktop.core.world import World
from dam_desktop.use_cases import tags as tag_cases
from dam_desktop.use_cases.result_scope import ResultScope
from dam_desktop.use_cases.tags import ResultEdit


class ResultTagEditCommand(QUndoCommand):
    def __init__(
        self,
        enqueue: Callable[[Callable[[World], Coroutine[Any, Any, None]]], None],
        text: str,
        scope: ResultScope,
        *,
        add_names: Sequence[str] = (),
        add_ids: Sequence[int] = (),
        remove_ids: Sequence[int] = (),
    ) -> None:
        super().__init__(f"{text} ({scope.count:,} assets)")
        self.enqueue = enqueue
        self.scope = scope
        self.add_names = list(add_names)
        self.add_ids = list(add_ids)
        self.remove_ids = list(remove_ids)
        self.edit: ResultEdit | None = None

    def redo(self) -> None:
        self.enqueue(self._apply)

    def undo(self) -> None:
        self.enqueue(self._revert)

    async def _apply(self, world: World) -> None:
        if self.remove_ids:
            self.edit = await tag_cases.remove_tags_from_result(world, self.scope, self.remove_ids)
        else:
            self.edit = await tag_cases.add_tags_to_result(world, self.scope, self.add_names, self.add_ids)

    async def _revert(self, world: World) -> None:
        if self.edit is not None:
            await tag_cases.undo_result_edit(world, self.edit)
