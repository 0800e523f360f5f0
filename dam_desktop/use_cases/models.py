"""The tagging model's weights: whether they are installed, importing a file, downloading them,
and tagging the images the model has not seen now (the review view's "Tag library")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.services.tagging import tagging_service
from dam_desktop.services.tagging.tagging_service import AutoTaggingSettings

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.use_cases.pipeline import StageOutcome

PROPOSALS = "proposals"  # the component name a change event gives for model tag proposals


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
