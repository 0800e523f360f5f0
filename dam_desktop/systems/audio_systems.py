"""The sound fingerprint stage and the audio search handler.

- `audio_fingerprint_system` drains `NeedsAudioProcessingMarker` with the weights-free model
  (numpy only, so "Find similar" on a sound works in the lite package too), and adds CLAP
  embeddings where torch and CLAP's weights are there.
- `handle_audio_search_query` answers `AudioSearchQuery` events.
"""

from __future__ import annotations

import logging
from typing import Any

from dam_desktop.core.events import AudioSearchQuery
from dam_desktop.core.injection import MarkedEntityList, Resource, SystemResult, WorldSession
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.registered_systems import module_installed
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.systems import listens_for, system
from dam_desktop.models.core.pipeline_markers import NeedsAudioProcessingMarker
from dam_desktop.services.semantic import audio_service
from dam_desktop.services.semantic.audio_service import AudioSettings
from dam_desktop.services.semantic.vector_index import Hit, VectorIndexCache

log = logging.getLogger(__name__)


@system(stage=SystemStage.AUDIO_PROCESSING, batch_size=32)
async def audio_fingerprint_system(
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
    if module_installed("torch") and audio_service.clap_available(settings):
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
