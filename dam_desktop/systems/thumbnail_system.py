"""The thumbnail stage: drains `NeedsThumbnailMarker` by remaking thumbnails in the CPU pool.

Imports make most thumbnails themselves, from the bytes they already read; this system handles the
assets an import could not finish and any asset marked for regeneration. A file that cannot be
read or decoded is reported with its reason, and after `MAX_ATTEMPTS` the scheduler stops trying.
"""

from __future__ import annotations

from dam_desktop.core.injection import MarkedEntityList, Resource, SystemResult, WorldSession
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.systems import system
from dam_desktop.models.core.pipeline_markers import NeedsThumbnailMarker
from dam_desktop.services.media.thumbnail_service import remake_thumbnails


@system(stage=SystemStage.THUMBNAIL_GENERATION, batch_size=32)
async def thumbnail_system(
    session: WorldSession,
    paths: Resource[LibraryPaths],
    entities: MarkedEntityList[NeedsThumbnailMarker],
) -> SystemResult | None:
    failed = await remake_thumbnails(session, paths, [entity.id for entity in entities])
    return SystemResult(failed=failed) if failed else None
