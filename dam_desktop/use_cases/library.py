"""Reading the library for browsing: the ids of a listing, the counts, tile facts, one asset's
details, thumbnails of a few assets, and the marks of the last missing-files check.

These only read; they change nothing, so they notify nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from dam_desktop.core.library import STORAGE_MANAGED
from dam_desktop.core.sql_dialect import ALL_ROWS
from dam_desktop.services.browse import browse_service
from dam_desktop.services.browse.asset_summary import thumbnail_paths_for
from dam_desktop.services.browse.browse_service import AssetLocation
from dam_desktop.services.browse.browse_sql import IdArray, LibraryCounts, TileInfo
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.store.asset_files import readable_files

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.services.browse.browse_service import AssetDetails

LIST_BATCH = 2000


async def asset_ids(
    world: World,
    sort: SortKey = SortKey.ADDED,
    *,
    descending: bool = True,
    trashed: bool = False,
    name_contains: str | None = None,
) -> IdArray:
    """The ids of every asset (or of the trash), in the given order."""
    async with world.session() as session:
        return await browse_service.asset_ids(
            session, sort, descending=descending, trashed=trashed, name_contains=name_contains
        )


async def library_counts(world: World) -> LibraryCounts:
    async with world.session() as session:
        return await browse_service.library_counts(session)


async def tile_infos(world: World, entity_ids: list[int]) -> dict[int, TileInfo]:
    """What a tile shows (name, type, thumbnail and file paths) for a batch of ids."""
    async with world.session() as session:
        return await browse_service.tile_infos(session, world.paths, entity_ids)


async def asset_details(world: World, entity_id: int) -> AssetDetails | None:
    """Everything the inspector shows about one asset; None when it is gone. A trashed asset's
    stored copies are where the trash keeps them (`trash/files/...`, storage type "trash")."""
    async with world.session() as session:
        details = await browse_service.asset_details(session, world.paths, entity_id)
    if details is None or details.trashed_at is None:
        return details
    return replace(details, locations=[_in_trash(world, location) for location in details.locations])


def _in_trash(world: World, location: AssetLocation) -> AssetLocation:
    files = world.paths.files_dir
    if location.storage_type != STORAGE_MANAGED or not location.path.is_relative_to(files):
        return location
    moved = world.paths.trash_dir / "files" / location.path.relative_to(files)
    return AssetLocation("trash", moved, location.source_path)


async def thumbnail_paths(
    world: World, entity_ids: list[int], *, image_fallback: bool = False
) -> dict[int, Path]:
    """Each asset's thumbnail file; with `image_fallback`, an image without a thumbnail yet gives
    its own file (small lists, such as proposals waiting for review, show the picture at once)."""
    async with world.session() as session:
        thumbs = await thumbnail_paths_for(session, world.paths, entity_ids)
        if image_fallback:
            absent = [i for i in entity_ids if i not in thumbs or not thumbs[i].is_file()]
            if absent:
                files, _ = await readable_files(session, world.paths, absent, "image")
                thumbs.update(files)
    return thumbs


async def large_thumbnails(world: World, entity_ids: list[int]) -> dict[int, Path | None]:
    """The sharper thumbnails of these pictures for zooms above the usual thumbnail's size, made
    from their files in the CPU pool where missing; None for one that has none (a small picture,
    an unreadable file: its usual thumbnail stays)."""
    from dam_desktop.services.media.large_thumbnails import make_large_thumbnails
    from dam_desktop.services.media.thumbnail_service import thumbnail_sources

    async with world.session() as session:
        sources = await thumbnail_sources(session, world.paths, entity_ids)
    made = await make_large_thumbnails(world.paths, sources)
    return {entity_id: made.get(entity_id) for entity_id in entity_ids}


async def missing_marks(world: World) -> dict[int, tuple[str, str]]:
    """The assets the last missing-files check marked: id -> (problem, reason)."""
    from dam_desktop.services.locations.location_check import missing_marks as read_marks

    async with world.session() as session:
        return await read_marks(session)


async def iter_assets(
    world: World,
    asset_type: str | None = None,
    *,
    trashed: bool = False,
    sort: SortKey = SortKey.ADDED,
    descending: bool = False,
) -> AsyncIterator[list[tuple[int, str, str]]]:
    """(entity id, type, original file name) of every asset outside the trash (or in it), in `sort`
    order (by id unless told), in batches: a listing of a million assets streams instead of being
    held in memory."""
    from dam_desktop.services.browse.browse_sql import asset_rows_sql
    from dam_desktop.services.search.search_service import executable

    sql = asset_rows_sql(trashed=trashed, asset_type=asset_type is not None, sort=sort, descending=descending)
    params = {"limit": ALL_ROWS, "asset_type": asset_type}
    async with world.session() as session:
        statement, bound = executable(session, sql, params)
        result = await session.stream(statement, bound, execution_options={"yield_per": LIST_BATCH})
        async for rows in result.partitions():
            yield [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


@dataclass(frozen=True)
class LibraryFacts:
    root: Path  # the folder, or a shared library's store
    database: Path | str  # the SQLite file, or a shared library's URL (without its password)
    schema: str  # the migration revision the database is at ("none" before the first)
    entities: int


async def library_facts(world: World) -> LibraryFacts:
    """Where the library is, its schema revision and how many entities it holds (`dam-desktop info`)."""
    from dam_desktop.core.migrations import current_revision
    from dam_desktop.services.ecs_service import count_entities

    async with world.session() as session:
        entities = await count_entities(session)
    url = world.config.database_url
    if url is not None:
        from dam_desktop.core.library_location import display_url
        from dam_desktop.core.server_database import stored_server_revisions

        stored = await asyncio.to_thread(stored_server_revisions, url)
        return LibraryFacts(world.paths.root, display_url(url), "+".join(sorted(stored)) or "none", entities)
    schema = current_revision(world.paths.db_path) or "none"
    return LibraryFacts(world.paths.root, world.paths.db_path, schema, entities)


async def connected_peers(world: World) -> list[str]:
    """The other processes that have this shared library open (`<host>-<pid>`); [] for a folder."""
    return await world.peers()
