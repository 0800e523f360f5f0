"""Library › Write Tags to Sidecars and `dam-desktop xmp write`: the library's tags, rating and label
into `.xmp` sidecars that digiKam, darktable and Lightroom read (see services/store/sidecar_files
for where they go). Originals are never opened for writing.

The library is read in batches (a short read transaction each); the files are written on a worker
thread, so the world keeps answering. Progress is reported after each batch, and a cancel stops
before the next one: what was written stays written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dam_desktop.core.cancel import CancelToken
from dam_desktop.services.search import search_service
from dam_desktop.services.store.sidecar_files import (
    FAILED,
    STORE_SIDECARS,
    UNCHANGED,
    WOULD_WRITE,
    WRITTEN,
    SidecarResult,
    write_asset_sidecars,
)
from dam_desktop.services.tags.sidecar_facts import (
    SidecarAsset,
    live_asset_ids,
    sidecar_assets,
    tag_hierarchy,
)

if TYPE_CHECKING:
    from dam_desktop.core.world import World

__all__ = [
    "FAILED",
    "STORE_SIDECARS",
    "UNCHANGED",
    "WOULD_WRITE",
    "WRITTEN",
    "CancelToken",
    "SidecarProgress",
    "SidecarReport",
    "SidecarResult",
    "matching_ids",
    "write_sidecars",
]

BATCH = 200


@dataclass(frozen=True)
class SidecarProgress:
    done: int  # assets handled
    total: int
    current: str  # the last sidecar handled


@dataclass
class SidecarReport:
    dry_run: bool
    results: list[SidecarResult] = field(default_factory=list)
    assets: int = 0  # assets handled (a cancel stops short of all)
    cancelled: bool = False

    def with_status(self, status: str) -> list[SidecarResult]:
        return [r for r in self.results if r.status == status]

    @property
    def failed(self) -> list[SidecarResult]:
        return self.with_status(FAILED)

    def summary(self) -> str:
        counts = {s: len(self.with_status(s)) for s in (WRITTEN, WOULD_WRITE, UNCHANGED, FAILED)}
        done = f"would write {counts[WOULD_WRITE]}" if self.dry_run else f"wrote {counts[WRITTEN]}"
        note = " (stopped)" if self.cancelled else ""
        return (
            f"{done} sidecar{'s' if counts[WRITTEN] + counts[WOULD_WRITE] != 1 else ''} for "
            f"{self.assets} asset{'s' if self.assets != 1 else ''}; {counts[UNCHANGED]} already up to date; "
            f"{counts[FAILED]} failed{note}"
        )


def _write_all(root: Path, assets: list[SidecarAsset], dry_run: bool) -> list[SidecarResult]:
    return [result for asset in assets for result in write_asset_sidecars(root, asset, dry_run)]


async def matching_ids(world: World, query: str) -> list[int]:
    """The assets a tag query finds (raises QueryError for a bad one); "" is every asset."""
    async with world.session() as session:
        if not query.strip():
            return await live_asset_ids(session)
        return [int(i) for i in await search_service.search(session, query, limit=None)]


async def write_sidecars(
    world: World,
    entity_ids: Sequence[int] | None = None,
    *,
    dry_run: bool = False,
    on_progress: Callable[[SidecarProgress], None] | None = None,
    cancel: CancelToken | None = None,
) -> SidecarReport:
    """Write the sidecars of `entity_ids` (None: every asset in the library); with `dry_run`, say
    what would be written and write nothing. Each failure is a result with its reason."""
    async with world.session() as session:
        ids = (
            await live_asset_ids(session) if entity_ids is None else list(dict.fromkeys(map(int, entity_ids)))
        )
        hierarchy = await tag_hierarchy(session)
    report = SidecarReport(dry_run)
    root = Path(world.paths.root)
    for start in range(0, len(ids), BATCH):
        if cancel is not None and cancel.cancelled:
            report.cancelled = True
            break
        async with world.session() as session:
            assets = await sidecar_assets(session, ids[start : start + BATCH], hierarchy)
        results = await asyncio.to_thread(_write_all, root, assets, dry_run)
        report.results.extend(results)
        report.assets = min(len(ids), start + BATCH)
        if on_progress is not None:
            on_progress(SidecarProgress(report.assets, len(ids), str(results[-1].path) if results else ""))
    return report
