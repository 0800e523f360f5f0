"""The scrub strip stage: drains `NeedsScrubStripMarker` by making each clip's hover-scrub strip
in the CPU pool. It runs with the thumbnails (a finished batch is announced as a thumbnail change,
so the grid forgets any strip it looked for too early)."""

from __future__ import annotations

from dam_desktop.core.injection import MarkedEntityList, Resource, SystemResult, WorldSession
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.systems import system
from dam_desktop.models.core.pipeline_markers import NeedsScrubStripMarker
from dam_desktop.services.media.scrub_strip import make_scrub_strips


@system(stage=SystemStage.THUMBNAIL_GENERATION, batch_size=8)
async def scrub_strip_system(
    session: WorldSession,
    paths: Resource[LibraryPaths],
    entities: MarkedEntityList[NeedsScrubStripMarker],
) -> SystemResult | None:
    failed = await make_scrub_strips(session, paths, [entity.id for entity in entities])
    return SystemResult(failed=failed) if failed else None
