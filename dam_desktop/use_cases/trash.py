"""Remove assets into the library's trash, restore them, and delete them for good.

The trash service moves the managed copies and commits; these use cases add what the window and
the CLI both need around it: which ids named no asset, which were already where they were asked
to go, and the change event after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dam_desktop.core.events import WorldChanged
from dam_desktop.core.world import World
from dam_desktop.services.store import trash_service
from dam_desktop.services.store.asset_files import known_asset_ids


@dataclass(frozen=True)
class TrashOutcome:
    entity_ids: list[int]  # the assets moved (into the trash, back, or deleted)
    files: int  # managed copies moved or deleted
    unknown: list[int] = field(default_factory=list)  # ids that name no asset
    unchanged: list[int] = field(default_factory=list)  # already in (or, restoring, not in) the trash
    # "path: reason" for each stored file left alone because its row names a path outside the library
    refused: list[str] = field(default_factory=list)


async def move_to_trash(world: World, entity_ids: Sequence[int]) -> TrashOutcome:
    """Remove assets from the library into its trash; linked files stay where they are."""
    ids = list(dict.fromkeys(entity_ids))
    async with world.session() as session:
        known = await known_asset_ids(session, ids)
        already = await trash_service.trashed_ids(session, ids)
        result = await trash_service.move_to_trash(session, world.paths, [i for i in ids if i in known])
    if result.entity_ids:
        world.notify_changed(WorldChanged.of(result.entity_ids, "trash", removed=True))
    return TrashOutcome(
        result.entity_ids,
        result.files_moved,
        unknown=[i for i in ids if i not in known],
        unchanged=[i for i in ids if i in already],
        refused=result.refused,
    )


async def restore_from_trash(world: World, entity_ids: Sequence[int]) -> TrashOutcome:
    """Put trashed assets back in the library, with their managed copies."""
    ids = list(dict.fromkeys(entity_ids))
    async with world.session() as session:
        known = await known_asset_ids(session, ids)
        result = await trash_service.restore_from_trash(session, world.paths, ids)
    if result.entity_ids:
        world.notify_changed(WorldChanged.of(result.entity_ids, "trash", added=True))
    done = set(result.entity_ids)
    return TrashOutcome(
        result.entity_ids,
        result.files_moved,
        unknown=[i for i in ids if i not in known],
        unchanged=[i for i in ids if i in known and i not in done],
        refused=result.refused,
    )


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
