"""Remove from library (into the library trash), restore, and delete for good."""

from __future__ import annotations

from array import array
from collections.abc import Awaitable, Callable, Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QStyle

from dam_desktop.core.world import World
from dam_desktop.ui.jobs.jobs import Job
from dam_desktop.ui.window.context_menu import (
    TRASH_VIEW,
    ActionContext,
    AssetAction,
    Selection,
    in_library,
    in_trash,
)
from dam_desktop.ui.window.undoable import TrashCommand
from dam_desktop.use_cases import trash
from dam_desktop.use_cases.result_scope import ResultScope
from dam_desktop.use_cases.trash import TrashOutcome


def _plural(count: int, word: str = "asset") -> str:
    return f"{count:,} {word}{'s' if count != 1 else ''}"


TrashOperation = Callable[[World, Sequence[int]], Awaitable[TrashOutcome]]


ScopeOperation = Callable[[World, ResultScope], Awaitable[TrashOutcome]]


def _count(selection: Selection) -> int:
    return selection.scope.count if selection.scope is not None else len(selection)


async def _apply(
    context: ActionContext,
    selection: Selection,
    operation: TrashOperation,
    done: str,
    over_scope: ScopeOperation | None = None,
) -> TrashOutcome:
    """Run a trash use case on the world thread, refresh the grid and say what happened. A
    selection that is a whole result goes as its query (`over_scope`): the world reads its ids."""
    ids, scope = list(selection.entity_ids), selection.scope
    if scope is not None and over_scope is not None:
        result = await context.client.call(lambda world: over_scope(world, scope))
    else:
        result = await context.client.call(lambda world: operation(world, ids))
    await context.reload()
    message = done.format(_plural(len(result.entity_ids)))
    if result.refused:
        # A path that would lead outside the library is never moved or deleted; say which and why.
        message += f"; left {len(result.refused)} file(s) alone: {result.refused[0]}"
    context.show_message(message)
    return result


def _push_undoable(context: ActionContext, result: TrashOutcome, *, removal: bool) -> None:
    if context.undo_stack is not None and result.entity_ids:
        context.undo_stack.push(TrashCommand(context, array("q", result.entity_ids), removal=removal))


async def remove_to_trash(context: ActionContext, selection: Selection) -> None:
    if context.confirm(
        "Remove from library",
        f"Remove {_plural(_count(selection))} from the library?\n\n"
        "Stored copies move to the library's trash, where you can restore them or empty it. "
        "Linked files stay where they are.",
    ):
        done = "Moved {} to the trash (Ctrl+Z puts them back)"
        result = await _apply(context, selection, trash.move_to_trash, done, trash.move_result_to_trash)
        _push_undoable(context, result, removal=True)


async def restore(context: ActionContext, selection: Selection) -> None:
    result = await _apply(context, selection, trash.restore_from_trash, "Restored {}", trash.restore_result)
    _push_undoable(context, result, removal=False)


class DeletionJob(Job):
    """Deleting a whole result for good, batch by batch, as the status bar's job ("Deleting
    permanently 5,000 of 655,000"); cancelling it stops after the batch under way."""

    progressed = Signal(int, int)  # emitted on the world thread, delivered queued

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__("Deleting permanently", parent)
        self.running = True
        self.stop_asked = False
        self.progressed.connect(self.show_progress)

    def cancel(self) -> None:
        self.stop_asked = True

    def end(self) -> None:
        self.running = False
        self.finished.emit()


async def delete_for_good(context: ActionContext, selection: Selection) -> None:
    if not context.confirm(
        "Delete permanently",
        f"Delete {_plural(_count(selection))} permanently?\n\n"
        "Their stored copies are deleted; this cannot be undone.",
    ):
        return
    done = "Deleted {} permanently"
    if selection.scope is None:
        await _apply(context, selection, trash.delete_for_good, done)
        return
    # A whole result (the trash's Select All past the listed ids): the world reads its ids and
    # deletes them a batch at a time, the job list showing how far it got.
    job = DeletionJob(context.window)
    if context.add_job is not None:
        context.add_job(job)

    async def over_scope(world: World, scope: ResultScope) -> TrashOutcome:
        return await trash.delete_result(
            world, scope, on_progress=job.progressed.emit, stop=lambda: job.stop_asked
        )

    try:
        await _apply(context, selection, trash.delete_for_good, done, over_scope)
    finally:
        job.end()


async def empty_trash(context: ActionContext, count: int) -> None:
    """The trash's Empty Trash: Delete Permanently over all of the trash, a batch at a time."""
    if count:
        everything = ResultScope("", count=count, trash=True)
        await delete_for_good(context, Selection([], [], TRASH_VIEW, everything))


ACTIONS = [
    AssetAction(
        "remove",
        "Remove from Library…",
        remove_to_trash,
        applies_to=in_library,
        group=90,
        icon=QStyle.StandardPixmap.SP_TrashIcon,
        shortcut="Delete",
    ),
    AssetAction(
        "restore",
        "Restore to Library",
        restore,
        applies_to=in_trash,
        group=80,
        icon=QStyle.StandardPixmap.SP_DialogResetButton,
    ),
    AssetAction(
        "delete-permanently",
        "Delete Permanently…",
        delete_for_good,
        applies_to=in_trash,
        group=90,
        icon=QStyle.StandardPixmap.SP_DialogDiscardButton,
    ),
]
