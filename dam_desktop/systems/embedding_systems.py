"""The text and image embedding stages.

- `text_embedding_system` drains `NeedsTextEmbeddingMarker`. Database triggers (migration 0007)
  set that marker when an asset arrives and whenever its tags change, by whatever code path, in
  the same transaction; so the tag service needs no hook, and no change can be missed.
- `image_embedding_system` drains `NeedsEmbeddingMarker` (images) with CLIP. Without weights it
  defers: the markers stay untouched, so embedding resumes once weights are imported.
"""

from __future__ import annotations

from dam_desktop.core.errors import SystemDeferred
from dam_desktop.core.injection import MarkedEntityList, Resource, SystemResult, WorldSession
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.systems import system
from dam_desktop.models.core.pipeline_markers import NeedsEmbeddingMarker
from dam_desktop.models.semantic.text_embedding_marker import NeedsTextEmbeddingMarker
from dam_desktop.services.semantic import image_embeddings, semantic_service
from dam_desktop.services.semantic.semantic_service import SemanticSettings


@system(stage=SystemStage.TEXT_EMBEDDING, batch_size=128, requires=("torch", "transformers"))
async def text_embedding_system(
    session: WorldSession,
    entities: MarkedEntityList[NeedsTextEmbeddingMarker],
    manager: Resource[ModelExecutionManager],
    settings: Resource[SemanticSettings],
) -> SystemResult | None:
    """Embed the names and tags of marked assets with the text model (MiniLM)."""
    from dam_desktop.ml.minilm import TextModelMissingError

    try:
        await semantic_service.update_text_embeddings_for_entities(
            session,
            [e.id for e in entities],
            manager,
            model_name=settings.text_model,
            include_manual_tags=settings.include_manual_tags,
            include_model_tags_config=settings.include_model_tags_config,
        )
    except TextModelMissingError as exc:
        raise SystemDeferred(str(exc)) from exc
    return None


@system(stage=SystemStage.IMAGE_EMBEDDING, batch_size=32, requires=("torch", "open_clip"))
async def image_embedding_system(
    session: WorldSession,
    entities: MarkedEntityList[NeedsEmbeddingMarker],
    paths: Resource[LibraryPaths],
    manager: Resource[ModelExecutionManager],
    settings: Resource[SemanticSettings],
) -> SystemResult | None:
    """Embed marked images with the CLIP model; defers while its weights are missing."""
    from dam_desktop.ml.open_clip_loader import InvalidWeightsError, WeightsMissingError

    if image_embeddings.find_image_model_weights(settings) is None:
        raise SystemDeferred(image_embeddings.image_weights_missing_message(settings))
    try:
        failed = await image_embeddings.embed_images(
            session, paths, manager, settings, [e.id for e in entities]
        )
    except WeightsMissingError as exc:
        raise SystemDeferred(exc.user_message) from exc
    except InvalidWeightsError as exc:  # a weights file that turned out unusable: not the images' fault
        raise SystemDeferred(str(exc)) from exc
    return SystemResult(failed=failed) if failed else None
