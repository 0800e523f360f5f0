"""Model tags from the stored image embeddings: one vision pass per image serves search, "find
similar" and tags, and one loaded model serves both jobs.

When the tagging model is a catalogue image model (the default ViT-B-32 laion2b is), an image's
tags are scored from its stored vector against the vocabulary's text embeddings
(`ml.embedding_tags`), and the vocabulary is embedded by the same loaded `ClipEmbedder` the
embedding stage and text→image search use: nothing is decoded and no second copy of the model is
loaded. An image the embedding stage has not reached yet is embedded here, stored, and its
embedding marker dropped, so it is still decoded only once. Re-tagging after a vocabulary or
threshold change is then a matrix product over stored vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.models.core.pipeline_markers import NeedsEmbeddingMarker
from dam_desktop.models.files import FilePropertiesComponent, TrashedComponent
from dam_desktop.models.semantic.image_embedding_component import ImageEmbeddingComponent
from dam_desktop.services.semantic.vector_index import bytes_to_vector

if TYPE_CHECKING:
    from dam_desktop.services.tagging.tagging_service import AutoTaggingSettings


def image_model_for_tagging_model(model_name: str) -> str | None:
    """The catalogue name of the image model that open_clip `ARCH/TAG` is, if it is one."""
    from dam_desktop.ml.catalogue import FAMILY_OPEN_CLIP, TASK_IMAGE_SEARCH, entry_for_open_clip

    entry = entry_for_open_clip(model_name)
    if entry is None or entry.family != FAMILY_OPEN_CLIP or TASK_IMAGE_SEARCH not in entry.tasks:
        return None
    return entry.name


async def _image_ids(session: AsyncSession, entity_ids: Sequence[int]) -> list[int]:
    rows = await session.scalars(
        select(FilePropertiesComponent.entity_id)
        .where(FilePropertiesComponent.entity_id.in_(list(entity_ids)))
        .where(FilePropertiesComponent.asset_type == "image")
        .where(
            ~select(TrashedComponent.entity_id)
            .where(TrashedComponent.entity_id == FilePropertiesComponent.entity_id)
            .exists()
        )
        .order_by(FilePropertiesComponent.entity_id)
    )
    return [int(i) for i in rows.all()]


async def stored_vectors(
    session: AsyncSession, image_model: str, entity_ids: Sequence[int]
) -> dict[int, np.ndarray]:
    table = ImageEmbeddingComponent
    rows = await session.execute(
        select(table.entity_id, table.embedding_vector).where(
            table.entity_id.in_(list(entity_ids)), table.model_name == image_model
        )
    )
    return {int(entity_id): bytes_to_vector(blob) for entity_id, blob in rows.all()}


async def tag_from_embeddings(
    session: AsyncSession,
    paths: LibraryPaths,
    manager: ModelExecutionManager,
    settings: AutoTaggingSettings,
    entity_ids: Sequence[int],
    image_model: str,
) -> dict[int, str]:
    """Store the tagging model's proposals for these assets from their image embeddings."""
    from dam_desktop.ml.embedding_tags import tags_from_embeddings
    from dam_desktop.services.semantic import image_embeddings, semantic_service
    from dam_desktop.services.tagging import tagging_service

    ids = await _image_ids(session, entity_ids)
    vectors = await stored_vectors(session, image_model, ids)
    failed: dict[int, str] = {}
    missing = [i for i in ids if i not in vectors]
    embedding_settings = semantic_service.SemanticSettings(
        image_model=image_model, models_dir=settings.models_dir
    )
    if missing:
        failed = await image_embeddings.embed_images(session, paths, manager, embedding_settings, missing)
        embedded = [i for i in missing if i not in failed]
        await session.execute(
            delete(NeedsEmbeddingMarker).where(NeedsEmbeddingMarker.entity_id.in_(embedded))
        )
        vectors.update(await stored_vectors(session, image_model, embedded))
    scored = [i for i in ids if i in vectors]
    if not scored:
        return failed
    params = tagging_service.tagging_model_params(settings.model_name)
    embedder = await image_embeddings.get_clip_embedder(manager, embedding_settings)
    vocabulary = await manager.run(embedder.vocabulary_embedding, params.vocabulary)
    results = tags_from_embeddings(
        np.stack([vectors[i] for i in scored]),
        vocabulary,
        threshold=params.threshold,
        max_tags=params.max_tags,
    )
    await tagging_service.store_model_tags(
        session,
        settings.model_name,
        {i: [(s.tag, s.confidence) for s in tags] for i, tags in zip(scored, results, strict=True)},
    )
    return failed
