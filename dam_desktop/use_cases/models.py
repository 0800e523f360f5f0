"""The library's image model (which one, switching it) and the tagging model's weights: whether
they are installed, importing a file, downloading them, and tagging the images the model has not
seen now (the review view's "Tag library")."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dam_desktop.core.events import WorldChanged
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.services.semantic import image_embeddings
from dam_desktop.services.semantic.semantic_service import SemanticSettings, UnknownModelError
from dam_desktop.services.tagging import tagging_service
from dam_desktop.services.tagging.tagging_service import AutoTaggingSettings

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.use_cases.pipeline import StageOutcome

log = logging.getLogger(__name__)

PROPOSALS = "proposals"  # the component name a change event gives for model tag proposals
IMAGE_MODEL = "image-model"  # ... and for the library's choice of image model


@dataclass(frozen=True)
class ImageModelChoice:
    """The library's image model, and where its embeddings stand."""

    model_name: str  # the catalogue's name
    tagging_model: str  # what its proposals are recorded under (open_clip `ARCH/TAG`)
    waiting: int  # images queued for it by the embedding stage
    embedded: dict[str, int]  # images embedded per model in this library


def _point_settings(world: World, model_name: str) -> None:
    world.resources.get(SemanticSettings).image_model = model_name
    world.resources.get(AutoTaggingSettings).model_name = tagging_service.tagging_model_for_image_model(
        model_name
    )


async def apply_library_models(world: World) -> None:
    """Point the world's search and tagging at the library's image model (on opening): the one it
    chose, else the catalogue's default. Tags always come from that model, so its vectors serve both.

    A choice the catalogue no longer lists (an added catalogue file taken away) leaves the default
    in place, with a warning in the log: the library still opens, its vectors stay.
    """
    from dam_desktop.models.semantic.image_embedding_component import DEFAULT_IMAGE_EMBEDDING_MODEL

    chosen = await image_embeddings.read_chosen_image_model(world.reads)
    for name in (chosen, DEFAULT_IMAGE_EMBEDDING_MODEL):
        if name is None:
            continue
        try:
            image_embeddings.image_model_entry(name)
        except UnknownModelError as exc:
            log.warning("not using image model %s: %s", name, exc)
            continue
        _point_settings(world, name)
        return


async def image_model_choice(world: World) -> ImageModelChoice:
    settings = world.resources.get(SemanticSettings)
    async with world.session() as session:
        waiting = await image_embeddings.pending_image_embedding_count(session)
        embedded = await image_embeddings.embedding_counts(session)
    return ImageModelChoice(
        settings.image_model, world.resources.get(AutoTaggingSettings).model_name, waiting, embedded
    )


async def use_image_model(world: World, model_name: str) -> ImageModelChoice:
    """Make `model_name` (a catalogue name) the library's model for image search, "find similar"
    and tags, in one transaction: the images it has not embedded are queued for the embedding
    stage, and every image for the tag stage, whose proposals then come from the new vectors; the
    other models' open proposals are dropped. The background pipeline starts on the change event.

    Raises UnknownModelError for a name that is not a catalogue image model.
    """
    tagging_model = tagging_service.tagging_model_for_image_model(model_name)
    async with world.session() as session:
        await image_embeddings.choose_image_model(session, model_name)
        await tagging_service.drop_other_models_proposals(session, tagging_model)
        await tagging_service.queue_for_tagging(session, tagging_model)
        await session.commit()
    _point_settings(world, model_name)
    world.notify_changed(WorldChanged.of((), IMAGE_MODEL, PROPOSALS))
    return await image_model_choice(world)


@dataclass(frozen=True)
class WeightsState:
    """The tagging model and, when its weights are not found, why and where the app looked."""

    model_name: str
    missing: str | None
    searched: list[str]


def weights_state(world: World) -> WeightsState:
    """Checks files only (no torch, no database): cheap enough to ask before each refresh."""
    settings = world.resources.get(AutoTaggingSettings)
    if tagging_service.find_tagging_weights(settings) is not None:
        return WeightsState(settings.model_name, None, [])
    return WeightsState(
        settings.model_name,
        tagging_service.weights_missing_message(settings),
        tagging_service.weights_search_places(settings),
    )


async def tagging_weights_installed(world: World) -> bool:
    return weights_state(world).missing is None


async def import_tagging_weights(world: World, source: Path) -> Path:
    """Check a weights file the user picked and copy it into the models folder; raises
    InvalidWeightsError (with a message for people) when it does not fit the model."""
    manager = world.resources.get(ModelExecutionManager)
    settings = world.resources.get(AutoTaggingSettings)
    return await tagging_service.import_tagging_weights(manager, settings, source)


async def download_tagging_weights(world: World) -> Path:
    """Download the weights (needs the internet); raises WeightsMissingError when it cannot."""
    manager = world.resources.get(ModelExecutionManager)
    settings = world.resources.get(AutoTaggingSettings)
    return await tagging_service.download_tagging_weights(manager, settings)


async def tag_library(
    world: World, *, retag: bool = False, progress: Callable[[int, int], None] | None = None
) -> StageOutcome:
    """Queue the images the model has not tagged (all with `retag`), then run the pipeline's
    model-tag stage over every waiting image (joining its pass when the background work is
    already tagging); `progress(done, total)` follows that stage. The stage reports the new
    proposals itself."""
    from dam_desktop.core.stages import SystemStage
    from dam_desktop.use_cases.pipeline import run_stages

    settings = world.resources.get(AutoTaggingSettings)
    async with world.session() as session:
        await tagging_service.queue_for_tagging(session, settings.model_name, retag=retag)
        await session.commit()

    def on_progress(step: Any) -> None:
        if progress is not None and step.stage == SystemStage.AUTO_TAGGING:
            progress(step.done, step.total)

    [outcome] = await run_stages(world, [SystemStage.AUTO_TAGGING], on_progress=on_progress)
    return outcome
