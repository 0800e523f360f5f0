"""Model-proposed tags (spec §2.7): the tagging model, making proposals and storing them.

Tagging an asset again with the same model replaces that model's earlier proposals; proposals are
never made for tags the asset already carries by hand. Reviewing them is `proposal_review`'s job.

Models are reached through the world's `ModelExecutionManager`; the ml package is imported
lazily, and nothing here waits on torch: inference runs on the model thread.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.marker_ops import pending_marker_count
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.sql_dialect import or_ignore
from dam_desktop.models.core.pipeline_markers import NeedsAutoTaggingMarker
from dam_desktop.models.tags import (
    EntityTagLinkComponent,
    ModelGeneratedTagLinkComponent,
    RejectedModelTagComponent,
)
from dam_desktop.services.store.asset_files import model_pictures
from dam_desktop.services.tagging.proposal_review import proposals_for_entity
from dam_desktop.services.tags import tag_service

if TYPE_CHECKING:
    from dam_desktop.ml.zero_shot_tagger import ZeroShotTagger

log = logging.getLogger(__name__)

TAGGING_MODEL_IDENTIFIER = "open_clip_zero_shot_tagger"
DEFAULT_TAGGING_MODEL = "ViT-B-32/laion2b_s34b_b79k"


@dataclass(frozen=True)
class TaggingModelParams:
    """How a tagging model is loaded and how its output becomes proposals."""

    threshold: float = 0.05  # softmax probability over the vocabulary
    max_tags: int = 8
    vocabulary: str = "default"
    # Where the weights live on the Hugging Face hub ("org/repo/"); "" when they are only local.
    hf_hub: str = ""
    # Activation memory of one preprocessed image in the forward pass, for the batch-size heuristic.
    item_size_estimate_mb: float = 6.0
    fallback_batch_size: int = 16


TAGGING_MODEL_CONCEPTUAL_PARAMS: dict[str, TaggingModelParams] = {
    DEFAULT_TAGGING_MODEL: TaggingModelParams(hf_hub="laion/CLIP-ViT-B-32-laion2B-s34B-b79K/"),
}


def register_tagging_model(model_name: str, params: TaggingModelParams) -> None:
    """Make an open_clip `ARCHITECTURE/TAG` model usable for tagging."""
    TAGGING_MODEL_CONCEPTUAL_PARAMS[model_name] = params


def tagging_model_params(model_name: str) -> TaggingModelParams:
    """The registered parameters, else those of the catalogue's image model of that open_clip name
    (its `tag_threshold` and `max_tags` when it gives them)."""
    registered = TAGGING_MODEL_CONCEPTUAL_PARAMS.get(model_name)
    if registered is not None:
        return registered
    from dam_desktop.ml.catalogue import TASK_IMAGE_TAGS, entry_for_open_clip

    entry = entry_for_open_clip(model_name)
    if entry is None or TASK_IMAGE_TAGS not in entry.tasks:
        raise KeyError(f"'{model_name}' is not a registered tagging model")
    defaults = TaggingModelParams()
    return TaggingModelParams(
        threshold=defaults.threshold if entry.tag_threshold is None else entry.tag_threshold,
        max_tags=entry.max_tags or defaults.max_tags,
        hf_hub=entry.hf_hub if entry.hf_repo else "",
    )


def tagging_model_for_image_model(image_model: str) -> str:
    """The tagging model name (open_clip `ARCH/TAG`, what proposals record) of a catalogue image model."""
    from dam_desktop.ml.catalogue import get_entry

    return get_entry(image_model).open_clip_name


@dataclass
class AutoTaggingSettings:
    """World resource: which model tags new images (the scheduler's AUTO_TAGGING stage)."""

    model_name: str = DEFAULT_TAGGING_MODEL
    models_dir: Path | None = None  # None: the app's models folder (see ml.open_clip_loader)


# --- weights ---------------------------------------------------------------------------------------


def _spec(model_name: str) -> Any:
    from dam_desktop.ml.open_clip_loader import OpenClipSpec

    return OpenClipSpec.parse(model_name, tagging_model_params(model_name).hf_hub)


def find_tagging_weights(settings: AutoTaggingSettings) -> Path | None:
    """Where the current model's weights are, or None; checks files only (no torch)."""
    from dam_desktop.ml.open_clip_loader import find_weights

    found: Path | None = find_weights(_spec(settings.model_name), settings.models_dir)
    return found


def weights_missing_message(settings: AutoTaggingSettings) -> str:
    from dam_desktop.ml.open_clip_loader import WeightsMissingError, describe_search

    spec = _spec(settings.model_name)
    return WeightsMissingError(spec.name, describe_search(spec, settings.models_dir)).user_message


def weights_search_places(settings: AutoTaggingSettings) -> list[str]:
    """Where the app looks for the current model's weights, for people to read."""
    from dam_desktop.ml.open_clip_loader import describe_search

    places: list[str] = describe_search(_spec(settings.model_name), settings.models_dir)
    return places


async def import_tagging_weights(
    manager: ModelExecutionManager, settings: AutoTaggingSettings, source: Path
) -> Path:
    """Check and copy a weights file the user picked into the models folder (on the model thread).

    Raises InvalidWeightsError (with a message for people) when it does not fit the model.
    """
    from dam_desktop.ml.open_clip_loader import import_weights_file

    installed: Path = await manager.run(
        import_weights_file, _spec(settings.model_name), Path(source), settings.models_dir
    )
    await manager.detect_resources()
    manager.unload_model(TAGGING_MODEL_IDENTIFIER, settings.model_name, _load_params(manager, settings))
    return installed


async def download_tagging_weights(manager: ModelExecutionManager, settings: AutoTaggingSettings) -> Path:
    """Download the weights into the Hugging Face cache (needs the internet)."""
    from dam_desktop.ml.hub_download import download_open_clip_weights

    path: Path = await manager.run(download_open_clip_weights, _spec(settings.model_name))
    return path


def _load_params(manager: ModelExecutionManager, settings: AutoTaggingSettings) -> dict[str, Any]:
    params = tagging_model_params(settings.model_name)
    return {
        "device": manager.get_model_device_preference(),
        "vocabulary": params.vocabulary,
        "hf_hub": params.hf_hub,
        "models_dir": str(settings.models_dir) if settings.models_dir else None,
    }


async def get_tagging_model(manager: ModelExecutionManager, settings: AutoTaggingSettings) -> ZeroShotTagger:
    """The loaded tagger (cached by the manager). Raises WeightsMissingError when there are no weights."""
    from dam_desktop.ml.zero_shot_tagger import zero_shot_tagger_loader

    if not manager.has_model_loader(TAGGING_MODEL_IDENTIFIER):
        manager.register_model_loader(TAGGING_MODEL_IDENTIFIER, zero_shot_tagger_loader)
    await manager.detect_resources()
    tagger: ZeroShotTagger = await manager.get_model(
        TAGGING_MODEL_IDENTIFIER, settings.model_name, _load_params(manager, settings)
    )
    return tagger


# --- generating and storing --------------------------------------------------------------------------


async def store_model_tags(
    session: AsyncSession, model_name: str, tags_by_entity: Mapping[int, Sequence[tuple[str, float]]]
) -> int:
    """Replace `model_name`'s proposals for these entities with the given (tag, confidence) pairs.

    Tags the person rejected for that entity, or already applied by hand, are not proposed.
    Returns the number of proposals stored.
    """
    entity_ids = list(tags_by_entity)
    if not entity_ids:
        return 0
    await session.execute(
        delete(ModelGeneratedTagLinkComponent)
        .where(ModelGeneratedTagLinkComponent.entity_id.in_(entity_ids))
        .where(ModelGeneratedTagLinkComponent.source_model_name == model_name)
    )
    names = {name for tags in tags_by_entity.values() for name, _ in tags}
    tag_ids = await tag_service.get_or_create_tag_concepts(session, names) if names else {}
    blocked: set[tuple[int, int]] = set()
    for component in (RejectedModelTagComponent, EntityTagLinkComponent):
        rows_blocked = await session.execute(
            select(component.entity_id, component.tag_concept_entity_id).where(
                component.entity_id.in_(entity_ids)
            )
        )
        blocked.update((int(e), int(t)) for e, t in rows_blocked.all())
    rows: list[dict[str, Any]] = []
    for entity_id, tags in tags_by_entity.items():
        seen: set[int] = set()
        for name, confidence in tags:
            tag_id = tag_ids[tag_service.normalize_tag_name(name)]
            if tag_id in seen or (entity_id, tag_id) in blocked:
                continue
            seen.add(tag_id)
            rows.append(
                {
                    "entity_id": entity_id,
                    "tag_concept_entity_id": tag_id,
                    "source_model_name": model_name,
                    "confidence": float(confidence),
                }
            )
    if rows:
        await session.execute(insert(ModelGeneratedTagLinkComponent), rows)
    return len(rows)


async def tag_entities(
    session: AsyncSession,
    paths: LibraryPaths,
    manager: ModelExecutionManager,
    settings: AutoTaggingSettings,
    entity_ids: Sequence[int],
) -> dict[int, str]:
    """Run the tagging model over these assets and store its proposals; returns failures by id.

    When the tagging model also makes an image-embedding table (the default does), the tags come
    from the stored embeddings and no image is decoded (`embedding_tagging`); otherwise the vision
    model runs on the files. Non-image and trashed assets are skipped (not failures). Raises
    WeightsMissingError when the model's weights are not on this computer; nothing is written then.
    """
    from dam_desktop.services.tagging.embedding_tagging import (
        image_model_for_tagging_model,
        tag_from_embeddings,
    )

    image_model = image_model_for_tagging_model(settings.model_name)
    if image_model is not None:
        return await tag_from_embeddings(session, paths, manager, settings, entity_ids, image_model)
    files, failed = await model_pictures(session, paths, entity_ids)
    if not files:
        return failed
    params = tagging_model_params(settings.model_name)
    tagger = await get_tagging_model(manager, settings)
    batch_size = manager.get_optimal_batch_size(
        TAGGING_MODEL_IDENTIFIER,
        settings.model_name,
        params.item_size_estimate_mb,
        params.fallback_batch_size,
    )
    ids = list(files)
    results = await manager.run(
        tagger.tag_files,
        [files[i] for i in ids],
        batch_size=batch_size,
        threshold=params.threshold,
        max_tags=params.max_tags,
    )
    tags_by_entity: dict[int, list[tuple[str, float]]] = {}
    for entity_id, result in zip(ids, results, strict=True):
        if isinstance(result, str):
            failed[entity_id] = result
        else:
            tags_by_entity[entity_id] = [(s.tag, s.confidence) for s in result]
    await store_model_tags(session, settings.model_name, tags_by_entity)
    return failed


async def update_entity_model_tags(
    session: AsyncSession,
    paths: LibraryPaths,
    manager: ModelExecutionManager,
    entity_id: int,
    settings: AutoTaggingSettings | None = None,
) -> list[tuple[str, float]]:
    """Tag one asset's image with the model, replacing that model's earlier proposals (spec §2.7).

    Returns the stored proposals, best first. Raises ValueError when the file cannot be read.
    """
    settings = settings or AutoTaggingSettings()
    failed = await tag_entities(session, paths, manager, settings, [entity_id])
    if entity_id in failed:
        raise ValueError(failed[entity_id])
    return [
        (p.tag_name, p.confidence)
        for p in await proposals_for_entity(session, entity_id, settings.model_name)
    ]


async def drop_other_models_proposals(session: AsyncSession, model_name: str) -> int:
    """Forget the open proposals every other model made (after the library chose `model_name`);
    accepted tags and rejections stay. Returns how many were dropped."""
    result = await session.execute(
        delete(ModelGeneratedTagLinkComponent).where(
            ModelGeneratedTagLinkComponent.source_model_name != model_name
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- queueing (the scheduler's AUTO_TAGGING stage drains the marker) ------------------------------


async def pending_tagging_count(session: AsyncSession) -> int:
    return await pending_marker_count(session, NeedsAutoTaggingMarker)


async def queue_for_tagging(session: AsyncSession, model_name: str, *, retag: bool = False) -> int:
    """Mark image assets for tagging: those the model has not tagged yet, or all with `retag`.

    Markers that had failed before are reset. Returns how many assets are now waiting.
    """
    untagged = (
        ""
        if retag
        else (
            " AND NOT EXISTS (SELECT 1 FROM component_model_generated_tag_link m"
            "  WHERE m.entity_id = p.entity_id AND m.source_model_name = :model)"
        )
    )
    await session.execute(
        text(
            or_ignore(
                session,
                "INSERT OR IGNORE INTO component_marker_needs_auto_tagging (entity_id, attempts)"
                " SELECT p.entity_id, 0 FROM component_file_properties p"
                " WHERE p.asset_type = 'image'"
                " AND NOT EXISTS (SELECT 1 FROM component_trashed t WHERE t.entity_id = p.entity_id)"
                + untagged,
            )
        ),
        {"model": model_name},
    )
    await session.execute(
        update(NeedsAutoTaggingMarker)
        .values(attempts=0, last_error=None)
        .where(NeedsAutoTaggingMarker.attempts > 0)
    )
    return await pending_tagging_count(session)
