"""Text embeddings and the searches over them (spec §2.5), and the settings of both semantic models.

Text: MiniLM over an asset's name and its tags (what text: `embedding_text`); images are
`image_embeddings`. Vectors are computed on the model thread (`ModelExecutionManager.run`),
stored as float32 bytes, and searched through the world's `VectorIndexCache`. A changed vector
replaces its row (delete + insert), which is what lets the index follow the table incrementally.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.errors import DamError
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.models.semantic.image_embedding_component import DEFAULT_IMAGE_EMBEDDING_MODEL
from dam_desktop.models.semantic.text_embedding_component import (
    DEFAULT_TEXT_EMBEDDING_MODEL,
    BaseSpecificEmbeddingComponent,
    get_embedding_component_class,
)
from dam_desktop.services.semantic.embedding_text import EmbeddingText, ModelTagsConfig, texts_for_entities
from dam_desktop.services.semantic.vector_index import (
    Hit,
    VectorIndexCache,
    search_index,
    search_like_entity,
    vector_to_bytes,
)

if TYPE_CHECKING:
    from dam_desktop.ml.minilm import MiniLMEncoder

log = logging.getLogger(__name__)

TEXT_MODEL_IDENTIFIER = "sentence_transformer"
SOURCE_COMPONENT = "FilePropertiesComponent"


@dataclass
class SemanticSettings:
    """Per-world resource: which models make the embeddings, and what the text embedding covers."""

    text_model: str = DEFAULT_TEXT_EMBEDDING_MODEL
    # The catalogue name of the library's image model; the world sets it from the library's choice.
    image_model: str = DEFAULT_IMAGE_EMBEDDING_MODEL
    models_dir: Path | None = None  # where imported weights live; the app's models folder when None
    include_manual_tags: bool = True
    include_model_tags_config: ModelTagsConfig | None = None


class UnknownModelError(DamError, ValueError):
    """The registry or the catalogue knows no such model (for this job)."""


def text_component_class(
    model_name: str, model_params: Mapping[str, Any] | None = None
) -> type[BaseSpecificEmbeddingComponent]:
    table = get_embedding_component_class(model_name, model_params)
    if table is None:
        raise UnknownModelError(
            f"no text embedding table for model {model_name!r} with {dict(model_params or {})}"
        )
    return table


async def get_text_encoder(
    manager: ModelExecutionManager, model_name: str = DEFAULT_TEXT_EMBEDDING_MODEL
) -> MiniLMEncoder:
    from dam_desktop.ml.minilm import minilm_loader

    if not manager.has_model_loader(TEXT_MODEL_IDENTIFIER):
        manager.register_model_loader(TEXT_MODEL_IDENTIFIER, minilm_loader)
    await manager.detect_resources()
    encoder: MiniLMEncoder = await manager.get_model(
        TEXT_MODEL_IDENTIFIER, model_name, {"device": manager.get_model_device_preference()}
    )
    return encoder


async def encode_texts(
    manager: ModelExecutionManager, texts: Sequence[str], model_name: str = DEFAULT_TEXT_EMBEDDING_MODEL
) -> npt.NDArray[np.float32]:
    """(len(texts) × d) normalised text embeddings, computed on the model thread."""
    encoder = await get_text_encoder(manager, model_name)
    return await manager.run(encoder.encode, list(texts))


async def store_text_embeddings(
    session: AsyncSession,
    table: type[BaseSpecificEmbeddingComponent],
    texts: Sequence[EmbeddingText],
    vectors: npt.NDArray[np.float32],
) -> None:
    """Replace the name-derived embeddings of these entities with the new ones (one delete, one insert)."""
    if not texts:
        return
    await session.execute(
        delete(table).where(
            table.entity_id.in_([t.entity_id for t in texts]), table.source_component_name == SOURCE_COMPONENT
        )
    )
    await session.execute(
        insert(table),
        [
            {
                "entity_id": t.entity_id,
                "embedding_vector": vector_to_bytes(vec),
                "source_component_name": SOURCE_COMPONENT,
                "source_field_name": t.source_field_name,
            }
            for t, vec in zip(texts, vectors, strict=True)
        ],
    )


async def update_text_embeddings_for_entities(
    session: AsyncSession,
    entity_ids: Sequence[int],
    manager: ModelExecutionManager,
    *,
    model_name: str = DEFAULT_TEXT_EMBEDDING_MODEL,
    model_params: Mapping[str, Any] | None = None,
    include_manual_tags: bool = True,
    include_model_tags_config: ModelTagsConfig | None = None,
) -> int:
    """Embed the name (and tags) of each asset among the ids; returns how many were stored."""
    table = text_component_class(model_name, model_params)
    texts = await texts_for_entities(
        session,
        entity_ids,
        include_manual_tags=include_manual_tags,
        include_model_tags_config=include_model_tags_config,
    )
    if not texts:
        return 0
    vectors = await encode_texts(manager, [t.text for t in texts], model_name)
    await store_text_embeddings(session, table, texts, vectors)
    return len(texts)


async def update_text_embeddings_for_entity(
    session: AsyncSession,
    entity_id: int,
    manager: ModelExecutionManager,
    *,
    model_name: str = DEFAULT_TEXT_EMBEDDING_MODEL,
    model_params: Mapping[str, Any] | None = None,
    include_manual_tags: bool = True,
    include_model_tags_config: ModelTagsConfig | None = None,
) -> BaseSpecificEmbeddingComponent | None:
    """Embed one asset's name (and tags); the stored component, or None when the entity is no asset."""
    table = text_component_class(model_name, model_params)
    stored = await update_text_embeddings_for_entities(
        session,
        [entity_id],
        manager,
        model_name=model_name,
        model_params=model_params,
        include_manual_tags=include_manual_tags,
        include_model_tags_config=include_model_tags_config,
    )
    if not stored:
        return None
    stmt = select(table).where(table.entity_id == entity_id, table.source_component_name == SOURCE_COMPONENT)
    return (await session.scalars(stmt)).first()


async def search_by_text(
    session: AsyncSession,
    cache: VectorIndexCache,
    manager: ModelExecutionManager,
    query: str,
    *,
    limit: int = 50,
    model_name: str = DEFAULT_TEXT_EMBEDDING_MODEL,
    allowed_entity_ids: Collection[int] | None = None,
) -> list[Hit]:
    """Assets whose name and tags mean what `query` says (MiniLM), best first."""
    vector = (await encode_texts(manager, [query], model_name))[0]
    return await search_index(
        session, cache, text_component_class(model_name), vector, limit, allowed_entity_ids=allowed_entity_ids
    )


class NoEmbeddingError(LookupError):
    """The asset has no embedding to compare with (not processed yet, or its model's weights are missing)."""


async def find_similar_by_text_embedding(
    session: AsyncSession,
    cache: VectorIndexCache,
    entity_id: int,
    *,
    limit: int = 50,
    model_name: str = DEFAULT_TEXT_EMBEDDING_MODEL,
    allowed_entity_ids: Collection[int] | None = None,
) -> list[Hit]:
    """Assets whose names and tags mean the most like this one's. Raises NoEmbeddingError."""
    table = text_component_class(model_name)
    hits = await search_like_entity(
        session, cache, table, entity_id, limit, allowed_entity_ids=allowed_entity_ids
    )
    if hits is None:
        raise NoEmbeddingError(f"asset {entity_id} has no text embedding yet")
    return hits
