"""Actions on assets' files: export copies to a folder, find an asset by its content hash."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dam_desktop.core.world import World
from dam_desktop.services.entity_dump import dump_entity
from dam_desktop.services.entity_values import EntityDump
from dam_desktop.services.search import search_service
from dam_desktop.services.store.asset_files import asset_ids_with_sha256
from dam_desktop.services.store.export import export_copies, export_sources
from dam_desktop.use_cases.quick_reads import parse_sha256 as parse_sha256


@dataclass(frozen=True)
class ExportOutcome:
    written: list[Path]
    # entity id -> why it was not exported (no readable file, a refused name, a failed copy)
    unreadable: dict[int, str] = field(default_factory=dict)
    unknown: list[int] = field(default_factory=list)  # ids that name no asset in the library


async def export(world: World, entity_ids: Sequence[int], folder: Path) -> ExportOutcome:
    """Copy the assets' files into `folder` under their original names, never overwriting.

    Trashed assets count as unknown: the window offers export only in the library. The copying
    runs on a worker thread so the world keeps answering while large files are written.
    """
    ids = list(dict.fromkeys(entity_ids))
    async with world.session() as session:
        plan = await export_sources(session, world.paths, ids)
    files = [(source.path, source.name) for source in plan.sources]
    result = await asyncio.to_thread(export_copies, files, folder)
    # A name that is a path (a tampered row) or a copy that failed is not exported: say which and why.
    for refusal in result.refused:
        plan.unreadable[plan.sources[refusal.index].entity_id] = f"{refusal.name}: {refusal.reason}"
    listed = {s.entity_id for s in plan.sources} | set(plan.unreadable)
    return ExportOutcome(result.written, plan.unreadable, [i for i in ids if i not in listed])


EXPORT_BATCH = 2_000


async def export_query(
    world: World, query: str, folder: Path, *, excluded: Sequence[int] = ()
) -> ExportOutcome:
    """Export every asset matching a tag query but `excluded` (raises QueryError for a bad query),
    a batch of ids at a time: the ids of the whole result are never held at once, and each batch's
    files are written before the next is read."""
    skip = set(excluded)
    written: list[Path] = []
    unreadable: dict[int, str] = {}
    async with world.session() as session:
        compiled = await search_service.compile_search(session, query)
    offset = 0
    while True:
        async with world.session() as session:
            ids = await search_service.search(session, compiled, offset, EXPORT_BATCH)
        batch = [i for i in ids if i not in skip]
        if batch:
            outcome = await export(world, batch, folder)
            written.extend(outcome.written)
            unreadable.update(outcome.unreadable)
        if len(ids) < EXPORT_BATCH:
            return ExportOutcome(written, unreadable)
        offset += len(ids)


async def find_by_sha256(world: World, digest: bytes) -> list[int]:
    """The assets (in the library or its trash) whose content has this SHA-256."""
    async with world.session() as session:
        return await asset_ids_with_sha256(session, digest)


async def describe_asset(world: World, entity_id: int) -> EntityDump | None:
    """Everything stored about one asset, component by component (`dam-desktop show`)."""
    async with world.session() as session:
        return await dump_entity(session, entity_id)
