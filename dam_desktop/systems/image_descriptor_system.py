"""The image-descriptor stage: drains `NeedsImageDescriptorMarker` with the weights-free wavelet
signature (numpy and Pillow only, so "Find Similar" on an image works in the lite package too)."""

from __future__ import annotations

from dam_desktop.core.injection import MarkedEntityList, Resource, SystemResult, WorldSession
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.systems import system
from dam_desktop.models.core.pipeline_markers import NeedsImageDescriptorMarker
from dam_desktop.services.similarity.image_descriptors import describe_images


@system(stage=SystemStage.IMAGE_DESCRIPTORS, batch_size=64)
async def image_descriptor_system(
    session: WorldSession,
    paths: Resource[LibraryPaths],
    entities: MarkedEntityList[NeedsImageDescriptorMarker],
) -> SystemResult | None:
    failed = await describe_images(session, paths, [entity.id for entity in entities])
    return SystemResult(failed=failed) if failed else None
