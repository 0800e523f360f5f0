"""Image embeddings (spec §2.5): the library's image model (a catalogue entry, open_clip) embeds
images, and encodes the query of a text→image search with its text tower; its weights are
downloaded or imported (`ml.model_store`).

Each stored vector names the model that made it, and every search reads only the rows of the
library's chosen model (`choose_image_model`), so vectors of two models are never compared.
Choosing another model queues the images it has not embedded; the pipeline's embedding stage then
does them in the background. Vectors are computed on the model thread, stored as float32 bytes (a
changed vector replaces its row) and searched through the world's `VectorIndexCache`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.marker_ops import pending_marker_count
from dam_desktop.core.model_host import ModelWorkerDied
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.sql_dialect import or_ignore
from dam_desktop.models.core.pipeline_markers import NeedsEmbeddingMarker
from dam_desktop.models.semantic.image_embedding_component import ImageEmbeddingComponent, LibraryModelChoice
from dam_desktop.services.semantic.semantic_service import (
    NoEmbeddingError,
    SemanticSettings,
    UnknownModelError,
)
from dam_desktop.services.semantic.vector_index import (
    Hit,
    VectorIndexCache,
    search_index,
    search_like_entity,
    vector_to_bytes,
)
from dam_desktop.services.store.asset_files import clip_pictures, model_pictures

if TYPE_CHECKING:
    from dam_desktop.core.read_pool import ReadPool, ServerReads
    from dam_desktop.ml.catalogue import CatalogueEntry
    from dam_desktop.ml.clip_embedder import ClipEmbedder
    from dam_desktop.ml.open_clip_loader import OpenClipSpec

IMAGE_MODEL_IDENTIFIER = "open_clip_embedder"
IMAGE_SEARCH_TASK = "image-search"  # the catalogue's task, and the library's choice row


def image_model_entry(model_name: str) -> CatalogueEntry:
    """The catalogue entry of an image–text model; UnknownModelError for any other name."""
    from dam_desktop.ml.catalogue import FAMILY_OPEN_CLIP, TASK_IMAGE_SEARCH, find_entry

    entry = find_entry(model_name)
    if entry is None or entry.family != FAMILY_OPEN_CLIP or TASK_IMAGE_SEARCH not in entry.tasks:
        raise UnknownModelError(f"{model_name!r} is not an image model of the catalogue")
    return entry


def image_model_spec(model_name: str) -> tuple[OpenClipSpec, dict[str, Any]]:
    """open_clip's spec for a catalogue entry, and the loader parameters it adds (`hf_hub`)."""
    from dam_desktop.ml.model_store import open_clip_spec

    spec = open_clip_spec(image_model_entry(model_name))
    return spec, ({"hf_hub": spec.hf_hub} if spec.hf_hub is not None else {})


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


# --- the library's choice ---------------------------------------------------------------------------


async def chosen_image_model(session: AsyncSession) -> str | None:
    """The image model this library was set to use (`models use`), or None: the catalogue default."""
    row = await session.get(LibraryModelChoice, IMAGE_SEARCH_TASK)
    return row.model_name if row is not None else None


async def read_chosen_image_model(reads: ReadPool | ServerReads) -> str | None:
    """`chosen_image_model` through the world's plain read connections: on opening, where the
    session's first connection would cost the window's first paint a connection of its own."""
    rows = await reads.fetchall(
        f"SELECT model_name FROM {LibraryModelChoice.__tablename__} WHERE task = :task",
        {"task": IMAGE_SEARCH_TASK},
    )
    return str(rows[0][0]) if rows else None


async def mark_images_without_embedding(session: AsyncSession, model_name: str) -> int:
    """Mark every image and clip that has no `model_name` vector for the embedding stage; how many
    wait now.

    Failed markers are reset: a new model deserves a new try at a file another model could not read.
    """
    await session.execute(
        text(
            or_ignore(
                session,
                "INSERT OR IGNORE INTO component_marker_needs_embedding (entity_id, attempts)"
                " SELECT p.entity_id, 0 FROM component_file_properties p"
                " WHERE p.asset_type IN ('image', 'video')"
                " AND NOT EXISTS (SELECT 1 FROM component_trashed t WHERE t.entity_id = p.entity_id)"
                " AND NOT EXISTS (SELECT 1 FROM component_image_embedding e"
                "  WHERE e.entity_id = p.entity_id AND e.model_name = :model)",
            )
        ),
        {"model": model_name},
    )
    await session.execute(
        text("UPDATE component_marker_needs_embedding SET attempts = 0, last_error = NULL WHERE attempts > 0")
    )
    return await pending_image_embedding_count(session)


async def choose_image_model(session: AsyncSession, model_name: str) -> int:
    """Make `model_name` the library's image model and queue the images it has not embedded.

    The other model's vectors stay (switching back re-embeds nothing); searches read only the
    chosen model's rows. Returns how many images wait for the embedding stage.
    """
    image_model_entry(model_name)
    row = await session.get(LibraryModelChoice, IMAGE_SEARCH_TASK)
    if row is None:
        session.add(LibraryModelChoice(task=IMAGE_SEARCH_TASK, model_name=model_name))
    else:
        row.model_name = model_name
    await session.flush()
    return await mark_images_without_embedding(session, model_name)


async def embedding_counts(session: AsyncSession) -> dict[str, int]:
    """How many images each model has embedded in this library."""
    table = ImageEmbeddingComponent
    rows = await session.execute(select(table.model_name, func.count()).group_by(table.model_name))
    return {str(name): int(count) for name, count in rows.all()}


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
    """Store CLIP image embeddings for the image assets and clips among the ids (a clip's is the
    mean of its keyframes'); returns {entity: why it failed}."""
    files, failed = await model_pictures(session, paths, entity_ids)
    clips, clips_failed = await clip_pictures(session, paths, entity_ids)
    failed.update(clips_failed)
    if not files and not clips:
        return failed
    embedder = await get_clip_embedder(manager, settings)
    batch = manager.get_optimal_batch_size(IMAGE_MODEL_IDENTIFIER, settings.image_model, 2.0, 32)
    if files:
        ids = list(files)
        vectors, unreadable = await _encode_isolating_deaths(
            manager, embedder.encode_images, [files[i] for i in ids], batch
        )
        await _store_vectors(session, settings.image_model, ids, vectors, unreadable, failed)
    if clips:
        ids = list(clips)
        vectors, unreadable = await _encode_isolating_deaths(
            manager, embedder.encode_clips, [clips[i] for i in ids], batch
        )
        await _store_vectors(session, settings.image_model, ids, vectors, unreadable, failed)
    return failed


async def _encode_isolating_deaths(
    manager: ModelExecutionManager, encode: Any, items: list[Any], batch_size: int
) -> tuple[list[Any], dict[int, str]]:
    """`encode(items)`'s (rows of the readable items, {position: why not}). When the model worker
    dies on them (a picture that takes it out of memory, say), each half is tried again with a new
    worker, so only the file that kills it fails, with the reason, and its batch-mates are kept."""
    try:
        vectors, unreadable = await manager.run(encode, items, batch_size=batch_size)
        return list(vectors), dict(unreadable)
    except ModelWorkerDied as exc:
        if len(items) == 1:
            return [], {0: str(exc)}
    half = len(items) // 2
    first, first_failed = await _encode_isolating_deaths(manager, encode, items[:half], batch_size)
    rest, rest_failed = await _encode_isolating_deaths(manager, encode, items[half:], batch_size)
    return first + rest, {**first_failed, **{half + k: why for k, why in rest_failed.items()}}


async def _store_vectors(
    session: AsyncSession,
    model: str,
    ids: list[int],
    vectors: Iterable[Any],
    unreadable: Mapping[int, str],
    failed: dict[int, str],
) -> None:
    """Replace the `model` rows of the ids that were read; note why the others were not."""
    table = ImageEmbeddingComponent
    for position, reason in unreadable.items():
        failed[ids[position]] = reason
    done = [eid for pos, eid in enumerate(ids) if pos not in unreadable]
    if done:
        await session.execute(delete(table).where(table.entity_id.in_(done), table.model_name == model))
        await session.execute(
            insert(table),
            [
                {"entity_id": eid, "model_name": model, "embedding_vector": vector_to_bytes(vec)}
                for eid, vec in zip(done, vectors, strict=True)
            ],
        )


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
        ImageEmbeddingComponent,
        vector,
        limit,
        allowed_entity_ids=allowed_entity_ids,
        model_name=settings.image_model,
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
    hits = await search_like_entity(
        session,
        cache,
        ImageEmbeddingComponent,
        entity_id,
        limit,
        allowed_entity_ids=allowed_entity_ids,
        model_name=settings.image_model,
    )
    if hits is None:
        raise NoEmbeddingError(f"asset {entity_id} has no {settings.image_model} image embedding yet")
    return hits
