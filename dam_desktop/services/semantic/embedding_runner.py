"""One pass over everything waiting for an embedding, with progress: what the window's
"Compute embeddings" job runs (the stage systems do the same work without progress)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.marker_ops import finish_markers
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.world import World
from dam_desktop.models.core.markers import BaseMarker
from dam_desktop.models.core.pipeline_markers import NeedsAudioProcessingMarker
from dam_desktop.models.semantic.text_embedding_marker import NeedsTextEmbeddingMarker
from dam_desktop.services.semantic import audio_service, semantic_service
from dam_desktop.services.semantic.audio_service import AudioSettings
from dam_desktop.services.semantic.semantic_service import SemanticSettings

ProgressCallback = Callable[[int, int], None]

TEXT_BATCH = 128
AUDIO_BATCH = 32


@dataclass
class EmbeddingSummary:
    done: int = 0
    failed: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    cancelled: bool = False


async def _pending(session: AsyncSession, marker: type[BaseMarker]) -> int:
    stmt = select(func.count()).select_from(marker).where(marker.attempts < marker.MAX_ATTEMPTS)
    return int((await session.scalar(stmt)) or 0)


async def pending_embedding_count(world: World) -> int:
    async with world.session() as session:
        return (
            await _pending(session, NeedsTextEmbeddingMarker)
            + await _pending(session, NeedsAudioProcessingMarker)
            + await semantic_service.pending_image_embedding_count(session)
        )


async def _next_ids(session: AsyncSession, marker: type[BaseMarker], after: int, limit: int) -> list[int]:
    stmt = (
        select(marker.entity_id)
        .where(marker.attempts < marker.MAX_ATTEMPTS, marker.entity_id > after)
        .order_by(marker.entity_id)
        .limit(limit)
    )
    return list((await session.scalars(stmt)).all())


async def run_pending_embeddings(
    world: World, progress: ProgressCallback | None = None, cancel: threading.Event | None = None
) -> EmbeddingSummary:
    """Sounds (weights-free fingerprints, CLAP if installed), then names and tags, then images (CLIP)."""
    manager = world.resources.get(ModelExecutionManager)
    settings = world.resources.get(SemanticSettings)
    audio = world.resources.get(AudioSettings)
    summary = EmbeddingSummary()
    total = await pending_embedding_count(world)

    def report() -> None:
        if progress:
            progress(summary.done, max(total, summary.done))

    def stopped() -> bool:
        summary.cancelled = cancel is not None and cancel.is_set()
        return summary.cancelled

    report()
    for marker, batch in ((NeedsAudioProcessingMarker, AUDIO_BATCH), (NeedsTextEmbeddingMarker, TEXT_BATCH)):
        last = 0
        while not stopped():
            async with world.session() as session:
                ids = await _next_ids(session, marker, last, batch)
                if not ids:
                    break
                last = ids[-1]
                if marker is NeedsAudioProcessingMarker:
                    failed = await audio_service.generate_audio_embeddings(
                        session, world.paths, ids, model_name=audio.similarity_model
                    )
                    if audio_service.clap_available(audio):
                        await audio_service.generate_audio_embeddings(
                            session,
                            world.paths,
                            [i for i in ids if i not in failed],
                            model_name=audio.text_model,
                            manager=manager,
                            settings=audio,
                        )
                else:
                    failed = {}
                    await semantic_service.update_text_embeddings_for_entities(
                        session,
                        ids,
                        manager,
                        model_name=settings.text_model,
                        include_manual_tags=settings.include_manual_tags,
                        include_model_tags_config=settings.include_model_tags_config,
                    )
                await finish_markers(session, marker, ids, failed)
                await session.commit()
            summary.done += len(ids)
            summary.failed.update(failed)
            report()
    if not stopped():
        base = summary.done
        async with world.session() as session:
            images = await semantic_service.drain_image_embedding_markers(
                session,
                world.paths,
                manager,
                settings,
                progress=(lambda d, _t: progress(base + d, max(total, base + d))) if progress else None,
                cancel=cancel,
            )
            await session.commit()
        summary.done += images.embedded + len(images.failed)
        summary.failed.update(images.failed)
        if images.weights_missing:
            summary.notes.append(images.weights_missing)
        summary.cancelled = images.cancelled
    report()
    return summary
