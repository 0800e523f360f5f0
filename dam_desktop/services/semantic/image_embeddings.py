"""Image embeddings (spec §2.5): one open_clip model embeds images, and encodes the query of a
text→image search with its text tower; its weights come from a file the user imports.

Vectors are computed on the model thread, stored as float32 bytes (a changed vector replaces its
row) and searched through the world's `VectorIndexCache`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.marker_ops import pending_marker_count
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.models.core.pipeline_markers import NeedsEmbeddingMarker
from dam_desktop.models.semantic.image_embedding_component import IMAGE_EMBEDDING_MODEL_REGISTRY
from dam_desktop.services.semantic.semantic_service import (
    NoEmbeddingError,
    SemanticSettings,
    UnknownModelError,
    image_component_class,
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
    from dam_desktop.ml.open_clip_loader import OpenClipSpec

IMAGE_MODEL_IDENTIFIER = "open_clip_embedder"


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
    await manager.detect_resources()
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
    await manager.detect_resources()
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
