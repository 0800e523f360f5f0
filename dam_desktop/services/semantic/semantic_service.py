"""Text and image embeddings, and the searches over them (spec §2.5).

Text: MiniLM over an asset's name and its manual tags (and model tags when
`include_model_tags_config` asks for them; `source_field_name` then ends in `_with_tags`).
Images: an open_clip model, the same one encoding the query of a text→image search.
Vectors are computed on the model thread (`ModelExecutionManager.run`), stored as float32 bytes,
and searched through the world's `VectorIndexCache`. A changed vector replaces its row (delete +
insert), which is what lets the index follow the table incrementally.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.marker_ops import pending_marker_count
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.models.core.pipeline_markers import NeedsEmbeddingMarker
from dam_desktop.models.files import FilePropertiesComponent
from dam_desktop.models.semantic.image_embedding_component import (
    DEFAULT_IMAGE_EMBEDDING_MODEL,
    IMAGE_EMBEDDING_MODEL_REGISTRY,
    BaseSpecificImageEmbeddingComponent,
    get_image_embedding_component_class,
)
from dam_desktop.models.semantic.text_embedding_component import (
    DEFAULT_TEXT_EMBEDDING_MODEL,
    BaseSpecificEmbeddingComponent,
    get_embedding_component_class,
)
from dam_desktop.models.tags import (
    EntityTagLinkComponent,
    ModelGeneratedTagLinkComponent,
    TagConceptComponent,
)
from dam_desktop.services.semantic.vector_index import (
    Hit,
    VectorIndexCache,
    search_index,
    search_like_entity,
    vector_to_bytes,
)
from dam_desktop.services.store.asset_files import readable_files

if TYPE_CHECKING:
    from dam_desktop.ml.clip_embedder import ClipEmbedder
    from dam_desktop.ml.minilm import MiniLMEncoder
    from dam_desktop.ml.open_clip_loader import OpenClipSpec

log = logging.getLogger(__name__)

TEXT_MODEL_IDENTIFIER = "sentence_transformer"
IMAGE_MODEL_IDENTIFIER = "open_clip_embedder"
SOURCE_COMPONENT = "FilePropertiesComponent"
SOURCE_FIELD = "original_filename"
WITH_TAGS_SUFFIX = "_with_tags"


@dataclass(frozen=True)
class ModelTagsConfig:
    """Which model-proposed tags join the embedded text: from `model_name` (any if None), confident enough."""

    model_name: str | None = None
    min_confidence: float = 0.5


@dataclass
class SemanticSettings:
    """Per-world resource: which models make the embeddings, and what the text embedding covers."""

    text_model: str = DEFAULT_TEXT_EMBEDDING_MODEL
    image_model: str = DEFAULT_IMAGE_EMBEDDING_MODEL
    models_dir: Path | None = None  # where imported weights live; the app's models folder when None
    include_manual_tags: bool = True
    include_model_tags_config: ModelTagsConfig | None = None


class UnknownModelError(ValueError):
    """The registry has no table for this model name and parameters."""


def text_component_class(
    model_name: str, model_params: Mapping[str, Any] | None = None
) -> type[BaseSpecificEmbeddingComponent]:
    table = get_embedding_component_class(model_name, model_params)
    if table is None:
        raise UnknownModelError(
            f"no text embedding table for model {model_name!r} with {dict(model_params or {})}"
        )
    return table


def image_component_class(model_name: str) -> type[BaseSpecificImageEmbeddingComponent]:
    table = get_image_embedding_component_class(model_name)
    if table is None:
        raise UnknownModelError(f"no image embedding table for model {model_name!r}")
    return table


# --- text embeddings -------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[_\-.+]+|(?<=[a-z])(?=[A-Z])")


def name_to_text(filename: str) -> str:
    """`red_sports-car.night.JPG` -> `red sports car night` (the words a person would type)."""
    stem = PurePath(filename).stem or filename
    return " ".join(_SEPARATORS.sub(" ", stem).split())


def tag_to_text(tag_name: str) -> str:
    return " ".join(tag_name.replace(":", " ").replace("_", " ").split())


async def _manual_tags(session: AsyncSession, entity_ids: Sequence[int]) -> dict[int, list[str]]:
    stmt = (
        select(EntityTagLinkComponent.entity_id, TagConceptComponent.tag_name)
        .join(
            TagConceptComponent, TagConceptComponent.entity_id == EntityTagLinkComponent.tag_concept_entity_id
        )
        .where(EntityTagLinkComponent.entity_id.in_(list(entity_ids)))
        .order_by(EntityTagLinkComponent.entity_id, TagConceptComponent.tag_name)
    )
    tags: dict[int, list[str]] = {}
    for entity_id, name in (await session.execute(stmt)).all():
        tags.setdefault(entity_id, []).append(name)
    return tags


async def _model_tags(
    session: AsyncSession, entity_ids: Sequence[int], config: ModelTagsConfig
) -> dict[int, list[str]]:
    link = ModelGeneratedTagLinkComponent
    stmt = (
        select(link.entity_id, TagConceptComponent.tag_name)
        .join(TagConceptComponent, TagConceptComponent.entity_id == link.tag_concept_entity_id)
        .where(link.entity_id.in_(list(entity_ids)), link.confidence >= config.min_confidence)
        .order_by(link.entity_id, link.confidence.desc())
    )
    if config.model_name is not None:
        stmt = stmt.where(link.source_model_name == config.model_name)
    tags: dict[int, list[str]] = {}
    for entity_id, name in (await session.execute(stmt)).all():
        bucket = tags.setdefault(entity_id, [])
        if name not in bucket:
            bucket.append(name)
    return tags


@dataclass(frozen=True)
class EmbeddingText:
    entity_id: int
    text: str
    source_field_name: str


async def texts_for_entities(
    session: AsyncSession,
    entity_ids: Sequence[int],
    *,
    include_manual_tags: bool = True,
    include_model_tags_config: ModelTagsConfig | None = None,
) -> list[EmbeddingText]:
    """The text each asset's embedding is made of: its name, then its tags when asked for and present."""
    names = dict(
        (
            await session.execute(
                select(FilePropertiesComponent.entity_id, FilePropertiesComponent.original_filename).where(
                    FilePropertiesComponent.entity_id.in_(list(entity_ids))
                )
            )
        ).all()
    )
    manual = await _manual_tags(session, list(names)) if include_manual_tags else {}
    model = (
        await _model_tags(session, list(names), include_model_tags_config)
        if include_model_tags_config
        else {}
    )
    texts: list[EmbeddingText] = []
    for entity_id in entity_ids:
        if entity_id not in names:
            continue
        tags = list(dict.fromkeys([*manual.get(entity_id, []), *model.get(entity_id, [])]))
        base = name_to_text(names[entity_id])
        if tags:
            text = f"{base}. {', '.join(tag_to_text(t) for t in tags)}"
            texts.append(EmbeddingText(entity_id, text, SOURCE_FIELD + WITH_TAGS_SUFFIX))
        else:
            texts.append(EmbeddingText(entity_id, base, SOURCE_FIELD))
    return texts


async def get_text_encoder(
    manager: ModelExecutionManager, model_name: str = DEFAULT_TEXT_EMBEDDING_MODEL
) -> MiniLMEncoder:
    from dam_desktop.ml.minilm import minilm_loader

    if not manager.has_model_loader(TEXT_MODEL_IDENTIFIER):
        manager.register_model_loader(TEXT_MODEL_IDENTIFIER, minilm_loader)
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


# --- image embeddings ------------------------------------------------------------------------------


def image_model_spec(model_name: str) -> tuple[OpenClipSpec, dict[str, Any]]:
    """open_clip's spec for a registry entry, and the loader parameters it adds (`hf_hub`)."""
    from dam_desktop.ml.open_clip_loader import OpenClipSpec

    info = IMAGE_EMBEDDING_MODEL_REGISTRY.get(model_name)
    if info is None:
        raise UnknownModelError(f"no image embedding table for model {model_name!r}")
    params = info["default_params"]
    hf_hub = params.get("hf_hub")
    spec = OpenClipSpec(params["architecture"], params["pretrained"], hf_hub)
    return spec, ({"hf_hub": hf_hub} if hf_hub is not None else {})


def find_image_model_weights(settings: SemanticSettings) -> Path | None:
    from dam_desktop.ml.open_clip_loader import find_weights

    spec, _ = image_model_spec(settings.image_model)
    return find_weights(spec, settings.models_dir)


def image_weights_missing_message(settings: SemanticSettings) -> str:
    from dam_desktop.ml.open_clip_loader import describe_search

    spec, _ = image_model_spec(settings.image_model)
    return (
        f"The weights for the image model {spec.name} are not on this computer, so images cannot be "
        "searched by a description or by similarity yet. Import a weights file for it "
        f"(looked in: {'; '.join(describe_search(spec, settings.models_dir))})."
    )


async def import_image_model_weights(
    manager: ModelExecutionManager, settings: SemanticSettings, source: Path
) -> Path:
    """Check a weights file the user picked against the image model and install it ("Import weights…").

    Raises InvalidWeightsError when it does not fit. Images waiting for embeddings are done on the
    next run; a loaded copy of the model is dropped so the new weights are used.
    """
    from dam_desktop.ml.open_clip_loader import import_weights_file

    spec, extra = image_model_spec(settings.image_model)
    installed = await manager.run(import_weights_file, spec, Path(source), settings.models_dir)
    for params in manager_params_variants(manager, settings, extra):
        manager.unload_model(IMAGE_MODEL_IDENTIFIER, spec.name, params)
    return installed


def manager_params_variants(
    manager: ModelExecutionManager, settings: SemanticSettings, extra: Mapping[str, Any]
) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"device": manager.get_model_device_preference(), **extra}
    if settings.models_dir is not None:
        params["models_dir"] = str(settings.models_dir)
    return [params]


async def get_clip_embedder(manager: ModelExecutionManager, settings: SemanticSettings) -> ClipEmbedder:
    """The loaded CLIP model (cached by the manager). Raises WeightsMissingError without weights."""
    from dam_desktop.ml.clip_embedder import clip_embedder_loader

    if not manager.has_model_loader(IMAGE_MODEL_IDENTIFIER):
        manager.register_model_loader(IMAGE_MODEL_IDENTIFIER, clip_embedder_loader)
    spec, extra = image_model_spec(settings.image_model)
    [params] = manager_params_variants(manager, settings, extra)
    embedder: ClipEmbedder = await manager.get_model(IMAGE_MODEL_IDENTIFIER, spec.name, params)
    return embedder


async def embed_images(
    session: AsyncSession,
    paths: LibraryPaths,
    manager: ModelExecutionManager,
    settings: SemanticSettings,
    entity_ids: Sequence[int],
) -> dict[int, str]:
    """Store CLIP image embeddings for the image assets among the ids; returns {entity: why it failed}."""
    table = image_component_class(settings.image_model)
    files, failed = await readable_files(session, paths, entity_ids, "image")
    if not files:
        return failed
    embedder = await get_clip_embedder(manager, settings)
    ids = list(files)
    batch = manager.get_optimal_batch_size(IMAGE_MODEL_IDENTIFIER, settings.image_model, 2.0, 32)
    vectors, unreadable = await manager.run(embedder.encode_images, [files[i] for i in ids], batch_size=batch)
    for position, reason in unreadable.items():
        failed[ids[position]] = reason
    done = [eid for pos, eid in enumerate(ids) if pos not in unreadable]
    if done:
        await session.execute(delete(table).where(table.entity_id.in_(done)))
        await session.execute(
            insert(table),
            [
                {"entity_id": eid, "embedding_vector": vector_to_bytes(vec)}
                for eid, vec in zip(done, vectors, strict=True)
            ],
        )
    return failed


async def pending_image_embedding_count(session: AsyncSession) -> int:
    return await pending_marker_count(session, NeedsEmbeddingMarker)


async def search_images_by_text(
    session: AsyncSession,
    cache: VectorIndexCache,
    manager: ModelExecutionManager,
    settings: SemanticSettings,
    query: str,
    *,
    limit: int = 50,
    allowed_entity_ids: Collection[int] | None = None,
) -> list[Hit]:
    """Images that look like `query` says (CLIP text tower against the image table)."""
    embedder = await get_clip_embedder(manager, settings)
    vector = (await manager.run(embedder.encode_texts, [query]))[0]
    return await search_index(
        session,
        cache,
        image_component_class(settings.image_model),
        vector,
        limit,
        allowed_entity_ids=allowed_entity_ids,
    )


class NoEmbeddingError(LookupError):
    """The asset has no embedding to compare with (not processed yet, or its model's weights are missing)."""


async def find_similar_images(
    session: AsyncSession,
    cache: VectorIndexCache,
    settings: SemanticSettings,
    entity_id: int,
    *,
    limit: int = 50,
    allowed_entity_ids: Collection[int] | None = None,
) -> list[Hit]:
    """Images nearest to image `entity_id` (the image itself left out). Raises NoEmbeddingError."""
    table = image_component_class(settings.image_model)
    hits = await search_like_entity(
        session, cache, table, entity_id, limit, allowed_entity_ids=allowed_entity_ids
    )
    if hits is None:
        raise NoEmbeddingError(f"asset {entity_id} has no {settings.image_model} image embedding yet")
    return hits


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
