"""Rating, labelling, flagging and annotating assets (the window's keys 0-5, the inspector's marks
and the bulk edit of a selection). Each change says which assets changed ("marks") and hands back
what they had before, so the window can undo it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dam_desktop.core.events import WorldChanged
from dam_desktop.services.marks import bulk_marks, marks_service
from dam_desktop.services.marks.bulk_marks import BulkMarksEdit
from dam_desktop.services.marks.marks_service import MarkChanges, MarkError, Marks
from dam_desktop.use_cases.result_scope import ResultScope, scope_ids

if TYPE_CHECKING:
    from dam_desktop.core.world import World

MARKS = "marks"  # the component name change events give for marks
__all__ = [
    "MARKS",
    "BulkMarksEdit",
    "MarkChanges",
    "MarkError",
    "Marks",
    "MarksOutcome",
    "marks_of",
    "restore",
    "set_marks",
    "set_marks_on_result",
    "undo_bulk",
]
# A change event names the assets up to this many; beyond, it names none (listeners re-read).
EVENT_IDS = 10_000


@dataclass(frozen=True)
class MarksOutcome:
    entity_ids: list[int]
    previous: dict[int, Marks] = field(default_factory=dict)  # each asset's marks before the change


async def marks_of(world: World, entity_ids: Sequence[int]) -> dict[int, Marks]:
    """Every asset's marks (unmarked assets get `Marks()`)."""
    async with world.session() as session:
        found = await marks_service.marks_of(session, entity_ids)
    return {int(i): found.get(int(i), Marks()) for i in entity_ids}


async def set_marks(world: World, entity_ids: Sequence[int], changes: MarkChanges) -> MarksOutcome:
    """Apply `changes` to every asset in `entity_ids` (MarkError when a value is out of bounds)."""
    values = changes.values()
    ids = list(dict.fromkeys(int(i) for i in entity_ids))
    if not values or not ids:
        return MarksOutcome([])
    async with world.session() as session:
        found = await marks_service.marks_of(session, ids)
        await marks_service.write_marks(session, ids, values)
        await session.commit()
    world.notify_changed(WorldChanged.of(ids, MARKS))
    return MarksOutcome(ids, {i: found.get(i, Marks()) for i in ids})


async def restore(world: World, previous: dict[int, Marks]) -> None:
    """Undo a `set_marks`: each asset gets back what it had."""
    if not previous:
        return
    async with world.session() as session:
        await marks_service.restore_marks(session, previous)
        await session.commit()
    world.notify_changed(WorldChanged.of(previous, MARKS))


async def set_marks_on_result(
    world: World, scope: ResultScope, changes: MarkChanges, entity_ids: Sequence[int] | None = None
) -> BulkMarksEdit:
    """Apply `changes` to every asset of a whole result (or, redoing, to the `entity_ids` it
    changed), in one transaction; the ids are read here, never by the window. Raises MarkError for
    a value out of bounds, QueryError for a bad query. Returns what `undo_bulk` reverts."""
    values = changes.values()
    async with world.session() as session:
        ids = await scope_ids(session, scope) if entity_ids is None else entity_ids
        edit = await bulk_marks.write_bulk(session, ids, values)
        await session.commit()
    _notify(world, edit)
    return edit


async def undo_bulk(world: World, edit: BulkMarksEdit) -> None:
    async with world.session() as session:
        await bulk_marks.undo_bulk(session, edit)
        await session.commit()
    _notify(world, edit)


def _notify(world: World, edit: BulkMarksEdit) -> None:
    if edit.count:
        ids = edit.entity_ids() if edit.count <= EVENT_IDS else ()
        world.notify_changed(WorldChanged.of(ids, MARKS))
