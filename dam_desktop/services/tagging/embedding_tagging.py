"""Model tags from the stored image embeddings: one vision pass per image serves search, "find
similar" and tags.

When the tagging model is the checkpoint of an image-embedding table (the default ViT-B-32
laion2b is both), an image's tags are scored from its stored vector against the vocabulary's text
embeddings (`ml.embedding_tags`); nothing is decoded. An image the embedding stage has not reached
yet is embedded here, stored, and its embedding marker dropped, so it is still decoded only once.
Re-tagging after a vocabulary or threshold change is then a matrix product over stored vectors.
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
from dam_desktop.models.semantic.image_embedding_component import (
    IMAGE_EMBEDDING_MODEL_REGISTRY,
    BaseSpecificImageEmbeddingComponent,
)
from dam_desktop.services.semantic.vector_index import bytes_to_vector

if TYPE_CHECKING:
    from dam_desktop.services.tagging.tagging_service import AutoTaggingSettings


def image_table_for_tagging_model(
    model_name: str,
) -> tuple[str, type[BaseSpecificImageEmbeddingComponent]] | None:
    """(registry name, table) of the image embeddings made by open_clip `ARCH/TAG`, if any."""
    architecture, _, pretrained = model_name.partition("/")
    for name, info in IMAGE_EMBEDDING_MODEL_REGISTRY.items():
        params = info["default_params"]
        if params.get("architecture") == architecture and params.get("pretrained") == pretrained:
            return name, info["model_class"]
    return None


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
    session: AsyncSession, table: type[BaseSpecificImageEmbeddingComponent], entity_ids: Sequence[int]
) -> dict[int, np.ndarray]:
    rows = await session.execute(
        select(table.entity_id, table.embedding_vector).where(table.entity_id.in_(list(entity_ids)))
    )
    return {int(entity_id): bytes_to_vector(blob) for entity_id, blob in rows.all()}


async def tag_from_embeddings(
    session: AsyncSession,
    paths: LibraryPaths,
    manager: ModelExecutionManager,
    settings: AutoTaggingSettings,
    entity_ids: Sequence[int],
    image_model: str,
    table: type[BaseSpecificImageEmbeddingComponent],
) -> dict[int, str]:
    """Store the tagging model's proposals for these assets from their image embeddings."""
    from dam_desktop.ml.embedding_tags import tags_from_embeddings
    from dam_desktop.services.semantic import image_embeddings, semantic_service
    from dam_desktop.services.tagging import tagging_service

    ids = await _image_ids(session, entity_ids)
    vectors = await stored_vectors(session, table, ids)
    failed: dict[int, str] = {}
    missing = [i for i in ids if i not in vectors]
    if missing:
        embedding_settings = semantic_service.SemanticSettings(
            image_model=image_model, models_dir=settings.models_dir
        )
        failed = await image_embeddings.embed_images(session, paths, manager, embedding_settings, missing)
        embedded = [i for i in missing if i not in failed]
        await session.execute(
            delete(NeedsEmbeddingMarker).where(NeedsEmbeddingMarker.entity_id.in_(embedded))
        )
        vectors.update(await stored_vectors(session, table, embedded))
    scored = [i for i in ids if i in vectors]
    if not scored:
        return failed
    tagger = await tagging_service.get_tagging_model(manager, settings)
    vocabulary = await manager.run(tagger.vocabulary_embedding)
    params = tagging_service.tagging_model_params(settings.model_name)
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
