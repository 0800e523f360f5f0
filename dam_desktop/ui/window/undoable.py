"""Removal and restore on the window's undo stack: Edit › Undo (Ctrl+Z) puts removed assets back.

The action itself runs (and is awaited) before its command is pushed, so the first `redo` that
`QUndoStack.push` makes is skipped; later undos and redos run on the world thread one after the
other, in the order they were asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from PySide6.QtGui import QUndoCommand

from dam_desktop.core.world import World
from dam_desktop.ui.tasks import TaskSet
from dam_desktop.ui.window.context_menu import ActionContext
from dam_desktop.use_cases import trash
from dam_desktop.use_cases.trash import TrashOutcome

TrashOperation = Callable[[World, Sequence[int]], Awaitable[TrashOutcome]]


class SerialSteps:
    """Steps run one after the other on the GUI loop (each awaits the world)."""

    def __init__(self) -> None:
        self.tasks = TaskSet()
        self._lock: asyncio.Lock | None = None

    def run(self, step: Callable[[], Awaitable[None]]) -> None:
        async def ordered() -> None:
            if self._lock is None:
                self._lock = asyncio.Lock()
            async with self._lock:
                await step()

        self.tasks.spawn(ordered())


STEPS = SerialSteps()


def _plural(count: int) -> str:
    return f"{count:,} asset{'s' if count != 1 else ''}"


class TrashCommand(QUndoCommand):
    """`forward` moved `entity_ids`; undo runs `backward` on them, redo `forward` again."""

    def __init__(
        self, context: ActionContext, entity_ids: Sequence[int], *, removal: bool, steps: SerialSteps = STEPS
    ) -> None:
        verb = "Remove" if removal else "Restore"
        super().__init__(f"{verb} {_plural(len(entity_ids))}")
        self.context, self.entity_ids, self.steps = context, entity_ids, steps
        self.forward: TrashOperation = trash.move_to_trash if removal else trash.restore_from_trash
        self.backward: TrashOperation = trash.restore_from_trash if removal else trash.move_to_trash
        self.removal = removal
        self._pushed = False

    def _run(self, operation: TrashOperation, done: str) -> None:
        ids, context = self.entity_ids, self.context

        async def step() -> None:
            result = await context.client.call(lambda world: operation(world, ids))
            await context.reload()
            context.show_message(done.format(_plural(len(result.entity_ids))))

        self.steps.run(step)

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True  # done already, before the push
            return
        self._run(self.forward, "Moved {} to the trash" if self.removal else "Restored {}")

    def undo(self) -> None:
        self._run(self.backward, "Restored {}" if self.removal else "Moved {} back to the trash")
