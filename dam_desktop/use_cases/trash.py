"""Remove assets into the library's trash, restore them, and delete them for good.

The trash service moves the managed copies and commits; these use cases add what the window and
the CLI both need around it: which ids named no asset, which were already where they were asked
to go, and the change event after the commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.events import WorldChanged
from dam_desktop.core.world import World
from dam_desktop.services.store import trash_service
from dam_desktop.services.store.asset_files import known_asset_ids
from dam_desktop.use_cases.result_scope import ResultScope, scope_ids


@dataclass(frozen=True)
class TrashOutcome:
    entity_ids: list[int]  # the assets moved (into the trash, back, or deleted)
    files: int  # managed copies moved or deleted
    unknown: list[int] = field(default_factory=list)  # ids that name no asset
    unchanged: list[int] = field(default_factory=list)  # already in (or, restoring, not in) the trash
    # "path: reason" for each stored file left alone because its row names a path outside the library
    refused: list[str] = field(default_factory=list)


# Ids per transaction: each SQL statement names at most this many (SQLite's limit is 32,766),
# and a whole result of 655k assets moves a batch at a time with bounded memory.
BATCH = 5_000
# A change event names the assets up to this many; beyond, it says "everything" (listeners re-read).
EVENT_IDS = 10_000


def _notify(world: World, entity_ids: Sequence[int], **change: bool) -> None:
    if not entity_ids:
        return
    if len(entity_ids) > EVENT_IDS:
        world.notify_changed(WorldChanged.of((), "trash", everything=True, **change))
    else:
        world.notify_changed(WorldChanged.of(entity_ids, "trash", **change))


# One batch's work in its own transaction: the service's result, the batch's ids that name an
# asset, and those already where they were asked to go.
BatchStep = Callable[
    [AsyncSession, list[int]], Awaitable[tuple[trash_service.TrashResult, set[int], set[int]]]
]


async def _in_batches(
    world: World,
    entity_ids: Sequence[int],
    step: BatchStep,
    *,
    batch: int = BATCH,
    on_progress: Callable[[int, int], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> TrashOutcome:
    """`step` over the ids, `batch` at a time, each batch its own transaction. `on_progress(done,
    total)` follows each batch; once `stop()` is true no further batch starts."""
    ids = list(dict.fromkeys(entity_ids))
    done: list[int] = []
    unknown: list[int] = []
    unchanged: list[int] = []
    refused: list[str] = []
    files = 0
    if on_progress is not None:
        on_progress(0, len(ids))
    for start in range(0, len(ids), batch):
        if stop is not None and stop():
            break
        chunk = ids[start : start + batch]
        async with world.session() as session:
            result, known, already = await step(session, chunk)
        done.extend(result.entity_ids)
        files += result.files_moved
        unknown.extend(i for i in chunk if i not in known)
        unchanged.extend(i for i in chunk if i in already)
        refused.extend(result.refused)
        if on_progress is not None:
            on_progress(min(start + batch, len(ids)), len(ids))
    return TrashOutcome(done, files, unknown=unknown, unchanged=unchanged, refused=refused)


async def move_to_trash(world: World, entity_ids: Sequence[int]) -> TrashOutcome:
    """Remove assets from the library into its trash; linked files stay where they are. Each
    batch of `BATCH` ids is its own transaction."""

    async def step(
        session: AsyncSession, batch: list[int]
    ) -> tuple[trash_service.TrashResult, set[int], set[int]]:
        known = await known_asset_ids(session, batch)
        already = await trash_service.trashed_ids(session, batch)
        result = await trash_service.move_to_trash(session, world.paths, [i for i in batch if i in known])
        return result, known, already

    outcome = await _in_batches(world, entity_ids, step)
    _notify(world, outcome.entity_ids, removed=True)
    return outcome


async def restore_from_trash(world: World, entity_ids: Sequence[int]) -> TrashOutcome:
    """Put trashed assets back in the library, with their managed copies; a batch of `BATCH`
    ids per transaction."""

    async def step(
        session: AsyncSession, batch: list[int]
    ) -> tuple[trash_service.TrashResult, set[int], set[int]]:
        known = await known_asset_ids(session, batch)
        result = await trash_service.restore_from_trash(session, world.paths, batch)
        return result, known, known - set(result.entity_ids)  # known, but not in the trash

    outcome = await _in_batches(world, entity_ids, step)
    _notify(world, outcome.entity_ids, added=True)
    return outcome


async def move_result_to_trash(world: World, scope: ResultScope) -> TrashOutcome:
    """Every asset of a whole result into the trash: its ids are read here, not by the window."""
    async with world.session() as session:
        ids = await scope_ids(session, scope)
    return await move_to_trash(world, ids)


async def restore_result(world: World, scope: ResultScope) -> TrashOutcome:
    """Every asset of the trash's listing (a `trash` scope) back in the library."""
    async with world.session() as session:
        ids = await scope_ids(session, scope)
    return await restore_from_trash(world, ids)


async def delete_for_good(world: World, entity_ids: Sequence[int] | None = None) -> TrashOutcome:
    """Delete trashed assets for good: all of the trash, or only `entity_ids` among it."""
    ids = None if entity_ids is None else list(dict.fromkeys(entity_ids))
    async with world.session() as session:
        known = set() if ids is None else await known_asset_ids(session, ids)
        result = await trash_service.empty_trash(session, world.paths, ids)
    if result.entity_ids:
        world.notify_changed(WorldChanged.of(result.entity_ids, "trash", removed=True))
    done = set(result.entity_ids)
    return TrashOutcome(
        result.entity_ids,
        result.files_moved,
        unknown=[i for i in ids or () if i not in known],
        unchanged=[i for i in ids or () if i in known and i not in done],
        refused=result.refused,
    )


async def delete_result(
    world: World,
    scope: ResultScope,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    stop: Callable[[], bool] | None = None,
    batch: int | None = None,
) -> TrashOutcome:
    """Every asset of the trash's listing (a `trash` scope: a Select All over more than the window
    lists) deleted for good, `batch` ids per transaction. `on_progress(done, total)` follows each
    batch (on the world thread); once `stop()` is true no further batch starts. Between batches the
    world answers the window's other calls, so a 655k-asset deletion leaves the grid scrolling."""
    if not scope.trash:
        return TrashOutcome([], 0)  # only the trash's own listing is deleted for good
    async with world.session() as session:
        ids = await scope_ids(session, scope)

    async def step(
        session: AsyncSession, chunk: list[int]
    ) -> tuple[trash_service.TrashResult, set[int], set[int]]:
        # The ids come from the trash's own listing: each names a trashed asset.
        return await trash_service.empty_trash(session, world.paths, chunk), set(chunk), set()

    outcome = await _in_batches(
        world, ids.tolist(), step, batch=batch or BATCH, on_progress=on_progress, stop=stop
    )
    _notify(world, outcome.entity_ids, removed=True)
    return outcome
