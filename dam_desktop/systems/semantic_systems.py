"""Embedding systems and the audio search handler.

- `text_embedding_system` drains `NeedsTextEmbeddingMarker`. Database triggers (migration 0007)
  set that marker when an asset arrives and whenever its tags change, by whatever code path, in
  the same transaction; so the tag service needs no hook, and no change can be missed.
- `image_embedding_system` drains `NeedsEmbeddingMarker` (images) with CLIP. Without weights it
  leaves the markers untouched, so embedding resumes once weights are imported.
- `audio_embedding_system` drains `NeedsAudioProcessingMarker` with the weights-free model, and
  adds CLAP embeddings when CLAP is installed.
- `handle_audio_search_query` answers `AudioSearchQuery` events.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from dam_desktop.core.events import AudioSearchQuery
from dam_desktop.core.injection import MarkedEntityList, Resource, SystemResult, WorldContext, WorldSession
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.systems import listens_for, system
from dam_desktop.models.core.pipeline_markers import NeedsAudioProcessingMarker
from dam_desktop.models.semantic.text_embedding_marker import NeedsTextEmbeddingMarker
from dam_desktop.services.semantic import audio_service, semantic_service
from dam_desktop.services.semantic.audio_service import AudioSettings
from dam_desktop.services.semantic.semantic_service import SemanticSettings
from dam_desktop.services.semantic.vector_index import Hit, VectorIndexCache

log = logging.getLogger(__name__)


@system(stage=SystemStage.EMBEDDING_GENERATION, batch_size=128)
async def text_embedding_system(
    session: WorldSession,
    entities: MarkedEntityList[NeedsTextEmbeddingMarker],
    manager: Resource[ModelExecutionManager],
    settings: Resource[SemanticSettings],
) -> SystemResult | None:
    """Embed the names and tags of marked assets with the text model (MiniLM)."""
    await semantic_service.update_text_embeddings_for_entities(
        session,
        [e.id for e in entities],
        manager,
        model_name=settings.text_model,
        include_manual_tags=settings.include_manual_tags,
        include_model_tags_config=settings.include_model_tags_config,
    )
    return None


@system(stage=SystemStage.EMBEDDING_GENERATION)
async def image_embedding_system(
    context: WorldContext,
    paths: Resource[LibraryPaths],
    manager: Resource[ModelExecutionManager],
    settings: Resource[SemanticSettings],
) -> None:
    """Embed marked images with the CLIP model, a committed transaction per batch."""
    report = await semantic_service.drain_image_embedding_markers(context.session, paths, manager, settings)
    if report.weights_missing:
        log.info("image embeddings skipped: %s", report.weights_missing)
    elif report.embedded or report.failed:
        log.info("image embeddings: %d stored, %d failed", report.embedded, len(report.failed))


@system(stage=SystemStage.AUDIO_PROCESSING, batch_size=32)
async def audio_embedding_system(
    session: WorldSession,
    entities: MarkedEntityList[NeedsAudioProcessingMarker],
    paths: Resource[LibraryPaths],
    manager: Resource[ModelExecutionManager],
    settings: Resource[AudioSettings],
) -> SystemResult | None:
    """Fingerprint marked sounds (no weights needed); add CLAP embeddings where CLAP is installed."""
    ids = [e.id for e in entities]
    failed = await audio_service.generate_audio_embeddings(
        session, paths, ids, model_name=settings.similarity_model
    )
    if audio_service.clap_available(settings):
        from dam_desktop.ml.open_clip_loader import WeightsMissingError

        try:
            await audio_service.generate_audio_embeddings(
                session,
                paths,
                [i for i in ids if i not in failed],
                model_name=settings.text_model,
                manager=manager,
                settings=settings,
            )
        except WeightsMissingError as exc:
            log.info("CLAP embeddings skipped: %s", exc.user_message)
    return SystemResult(failed=failed) if failed else None


@listens_for(AudioSearchQuery)
async def handle_audio_search_query(
    event: AudioSearchQuery,
    session: WorldSession,
    cache: Resource[VectorIndexCache],
    manager: Resource[ModelExecutionManager],
    settings: Resource[AudioSettings],
) -> list[Hit]:
    """Sounds like `event.entity_id`, or matching `event.query_text` (CLAP), best first."""
    allowed: Any = event.allowed_entity_ids
    if event.entity_id is not None:
        return await audio_service.find_similar_entities_by_audio_embedding(
            session,
            cache,
            event.entity_id,
            model_name=event.model_name or settings.similarity_model,
            limit=event.limit,
            allowed_entity_ids=allowed,
        )
    if event.query_text:
        return await audio_service.search_audio_by_text(
            session, cache, manager, settings, event.query_text, limit=event.limit, allowed_entity_ids=allowed
        )
    return []


SEMANTIC_SYSTEMS: list[Callable[..., Awaitable[Any]]] = [
    audio_embedding_system,
    text_embedding_system,
    image_embedding_system,
    handle_audio_search_query,
]
