"""The model-tag stage: the tagging model proposes tags for images marked NeedsAutoTagging."""

from __future__ import annotations

from dam_desktop.core.errors import SystemDeferred
from dam_desktop.core.injection import MarkedEntityList, Resource, SystemResult, WorldSession
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.systems import system
from dam_desktop.models.core.pipeline_markers import NeedsAutoTaggingMarker
from dam_desktop.services.tagging import tagging_service
from dam_desktop.services.tagging.tagging_service import AutoTaggingSettings


@system(stage=SystemStage.AUTO_TAGGING, requires=("torch", "open_clip"))
async def auto_tagging_system(
    session: WorldSession,
    entities: MarkedEntityList[NeedsAutoTaggingMarker],
    paths: Resource[LibraryPaths],
    manager: Resource[ModelExecutionManager],
    settings: Resource[AutoTaggingSettings],
) -> SystemResult | None:
    """Store the model's proposals for a batch of images.

    A missing model defers the stage rather than failing the images: every marker stays as it is
    (no attempt counted), so once the user imports the weights the next run tags what waited.
    """
    from dam_desktop.ml.open_clip_loader import InvalidWeightsError, WeightsMissingError

    if tagging_service.find_tagging_weights(settings) is None:
        raise SystemDeferred(tagging_service.weights_missing_message(settings))
    try:
        failed = await tagging_service.tag_entities(
            session, paths, manager, settings, [e.id for e in entities]
        )
    except WeightsMissingError as exc:
        raise SystemDeferred(exc.user_message) from exc
    except InvalidWeightsError as exc:
        raise SystemDeferred(str(exc)) from exc
    return SystemResult(failed=failed) if failed else None
