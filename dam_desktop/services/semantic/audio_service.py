"""Audio embeddings and sound searches (spec §2.6).

The weights-free fingerprints (`soundprint-v2` by default, see `dam_desktop.ml.audio_features`)
are computed in the CPU pool with numpy, so every library can find similar sounds. CLAP, when its
weights are installed, adds text→audio search; it runs on the model thread. Both store float32
bytes in their own table, rows naming their model.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.models.semantic.audio_embedding_component import (
    AUDIO_EMBEDDING_MODEL_REGISTRY,
    CLAP_MODEL_NAME,
    DEFAULT_AUDIO_EMBEDDING_MODEL,
    BaseSpecificAudioEmbeddingComponent,
    get_audio_embedding_component_class,
)
from dam_desktop.services.semantic.vector_index import (
    Hit,
    VectorIndexCache,
    search_index,
    search_like_entity,
    vector_to_bytes,
)
from dam_desktop.services.store.asset_files import readable_files
from dam_desktop.utils.cpu_pool import shared_cpu_pool

if TYPE_CHECKING:
    from dam_desktop.ml.clap import ClapEmbedder

log = logging.getLogger(__name__)

CLAP_MODEL_IDENTIFIER = "clap_audio_text"


@dataclass
class AudioSettings:
    """Per-world resource: the audio models in use and where imported weights live."""

    similarity_model: str = DEFAULT_AUDIO_EMBEDDING_MODEL
    text_model: str = CLAP_MODEL_NAME
    models_dir: Path | None = None


class UnknownAudioModelError(ValueError):
    """The registry has no table for this audio model."""


class NoAudioEmbeddingError(LookupError):
    """The sound has no embedding of the asked model yet."""


def audio_component_class(
    model_name: str, model_params: Mapping[str, Any] | None = None
) -> type[BaseSpecificAudioEmbeddingComponent]:
    table = get_audio_embedding_component_class(model_name, model_params)
    if table is None:
        raise UnknownAudioModelError(f"no audio embedding table for model {model_name!r}")
    return table


def _needs_weights(model_name: str) -> bool:
    return bool(AUDIO_EMBEDDING_MODEL_REGISTRY[model_name]["default_params"].get("needs_weights"))


def _clap_repo(model_name: str) -> str:
    return str(AUDIO_EMBEDDING_MODEL_REGISTRY[model_name]["default_params"]["hf_repo"])


def clap_available(settings: AudioSettings) -> bool:
    from dam_desktop.ml.clap import find_clap_weights

    return find_clap_weights(_clap_repo(settings.text_model), settings.models_dir) is not None


async def get_clap(manager: ModelExecutionManager, settings: AudioSettings) -> ClapEmbedder:
    """The loaded CLAP model. Raises WeightsMissingError when it is not installed."""
    from dam_desktop.ml.clap import clap_loader

    if not manager.has_model_loader(CLAP_MODEL_IDENTIFIER):
        manager.register_model_loader(CLAP_MODEL_IDENTIFIER, clap_loader)
    await manager.detect_resources()
    params: dict[str, Any] = {"device": manager.get_model_device_preference()}
    if settings.models_dir is not None:
        params["models_dir"] = str(settings.models_dir)
    model: ClapEmbedder = await manager.get_model(
        CLAP_MODEL_IDENTIFIER, _clap_repo(settings.text_model), params
    )
    return model


def _fingerprint_batch(
    model_name: str, files: Sequence[Path]
) -> tuple[list[npt.NDArray[np.float32] | None], list[str]]:
    from dam_desktop.ml.audio_features import each_file, embed_file

    return each_file(lambda path: embed_file(path, model_name), files)


async def _compute_fingerprints(
    model_name: str, files: Sequence[Path]
) -> tuple[list[npt.NDArray[np.float32] | None], list[str]]:
    """Fingerprints in the CPU pool, several files at once (numpy and libsndfile release the GIL)."""
    loop = asyncio.get_running_loop()
    pool = shared_cpu_pool()
    chunks = [list(files[i : i + 4]) for i in range(0, len(files), 4)]
    results = await asyncio.gather(
        *(loop.run_in_executor(pool, _fingerprint_batch, model_name, chunk) for chunk in chunks)
    )
    vectors: list[npt.NDArray[np.float32] | None] = []
    errors: list[str] = []
    for chunk_vectors, chunk_errors in results:
        vectors.extend(chunk_vectors)
        errors.extend(chunk_errors)
    return vectors, errors


async def _compute_clap(
    manager: ModelExecutionManager, settings: AudioSettings, files: Sequence[Path]
) -> tuple[list[npt.NDArray[np.float32] | None], list[str]]:
    """CLAP vectors for the files, decoded and embedded where the model lives (the window's worker)."""
    clap = await get_clap(manager, settings)
    return await manager.run(clap.encode_audio_files, list(files))


async def generate_audio_embeddings(
    session: AsyncSession,
    paths: LibraryPaths,
    entity_ids: Sequence[int],
    *,
    model_name: str = DEFAULT_AUDIO_EMBEDDING_MODEL,
    manager: ModelExecutionManager | None = None,
    settings: AudioSettings | None = None,
) -> dict[int, str]:
    """Store `model_name` embeddings for the sounds among the ids; returns {entity: why it failed}."""
    table = audio_component_class(model_name)
    files, failed = await readable_files(session, paths, entity_ids, "audio")
    if not files:
        return failed
    ids = list(files)
    if _needs_weights(model_name):
        if manager is None:
            raise ValueError(f"{model_name} runs on the model manager; pass `manager`")
        vectors, errors = await _compute_clap(
            manager, settings or AudioSettings(text_model=model_name), [files[i] for i in ids]
        )
    else:
        vectors, errors = await _compute_fingerprints(model_name, [files[i] for i in ids])
    done: list[tuple[int, npt.NDArray[np.float32]]] = []
    for entity_id, vector, error in zip(ids, vectors, errors, strict=True):
        if vector is None:
            failed[entity_id] = error
        else:
            done.append((entity_id, vector))
    if done:
        await session.execute(delete(table).where(table.entity_id.in_([e for e, _ in done])))
        await session.execute(
            insert(table),
            [
                {"entity_id": e, "embedding_vector": vector_to_bytes(v), "model_name": model_name}
                for e, v in done
            ],
        )
    return failed


async def generate_audio_embedding_for_entity(
    session: AsyncSession,
    paths: LibraryPaths,
    entity_id: int,
    *,
    model_name: str = DEFAULT_AUDIO_EMBEDDING_MODEL,
    manager: ModelExecutionManager | None = None,
    settings: AudioSettings | None = None,
) -> BaseSpecificAudioEmbeddingComponent | None:
    """Create or replace one sound's embedding; the stored component, or None if it is no readable sound."""
    table = audio_component_class(model_name)
    failed = await generate_audio_embeddings(
        session, paths, [entity_id], model_name=model_name, manager=manager, settings=settings
    )
    if entity_id in failed:
        log.info("no audio embedding for %s: %s", entity_id, failed[entity_id])
        return None
    return (await session.scalars(select(table).where(table.entity_id == entity_id))).first()


async def find_similar_entities_by_audio_embedding(
    session: AsyncSession,
    cache: VectorIndexCache,
    entity_id: int,
    *,
    model_name: str = DEFAULT_AUDIO_EMBEDDING_MODEL,
    limit: int = 50,
    allowed_entity_ids: Collection[int] | None = None,
) -> list[Hit]:
    """Sounds nearest to sound `entity_id` (itself left out), best first. Raises NoAudioEmbeddingError."""
    hits = await search_like_entity(
        session,
        cache,
        audio_component_class(model_name),
        entity_id,
        limit,
        allowed_entity_ids=allowed_entity_ids,
    )
    if hits is None:
        raise NoAudioEmbeddingError(f"asset {entity_id} has no {model_name} audio embedding yet")
    return hits


async def find_similar_by_audio_file(
    session: AsyncSession,
    cache: VectorIndexCache,
    path: Path,
    *,
    limit: int = 50,
    allowed_entity_ids: Collection[int] | None = None,
) -> list[Hit]:
    """Sounds in the library nearest to a sound file that need not be in it (weights-free model)."""
    from dam_desktop.ml.audio_features import MODEL_NAME, embed_file

    vector = await asyncio.get_running_loop().run_in_executor(shared_cpu_pool(), embed_file, path)
    return await search_index(
        session,
        cache,
        audio_component_class(MODEL_NAME),
        vector,
        limit,
        allowed_entity_ids=allowed_entity_ids,
    )


async def search_audio_by_text(
    session: AsyncSession,
    cache: VectorIndexCache,
    manager: ModelExecutionManager,
    settings: AudioSettings,
    query: str,
    *,
    limit: int = 50,
    allowed_entity_ids: Collection[int] | None = None,
) -> list[Hit]:
    """Sounds that match a description (CLAP). Raises WeightsMissingError when CLAP is not installed."""
    clap = await get_clap(manager, settings)
    vector = (await manager.run(clap.encode_texts, [query]))[0]
    return await search_index(
        session,
        cache,
        audio_component_class(settings.text_model),
        vector,
        limit,
        allowed_entity_ids=allowed_entity_ids,
    )
