"""Find similar on an image picks its method: CLIP where the image model's weights are installed
(a tiny real-architecture checkpoint here), the weights-free wavelet signature otherwise; and an
image query answers with images only either way, though the library holds sounds."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.models.files import FilePropertiesComponent
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.services.semantic import image_embeddings
from dam_desktop.services.semantic.semantic_service import SemanticSettings
from dam_desktop.use_cases.similarity import WAVELET_METHOD, find_similar
from tests.audio_synthesis import write_sounds
from tests.test_semantic_clip import TINY_EMBEDDING_MODEL, _pictures, tiny_clip

__all__ = ["tiny_clip"]  # the fixture, used by name

STAGES = [
    SystemStage.IMAGE_DESCRIPTORS,
    SystemStage.AUDIO_PROCESSING,
    SystemStage.TEXT_EMBEDDING,
    SystemStage.IMAGE_EMBEDDING,
]


async def _ids(world: World) -> dict[str, int]:
    async with world.session() as session:
        rows = await session.execute(
            select(FilePropertiesComponent.original_filename, FilePropertiesComponent.entity_id)
        )
        return {name: eid for name, eid in rows.all()}


async def test_clip_ranks_when_its_weights_are_installed_and_the_signature_before(
    world: World,
    tiny_clip: SemanticSettings,
    tmp_path: Path,
    tiny_weights_file: Path,
) -> None:
    _pictures(tmp_path / "pictures")
    write_sounds(tmp_path / "sounds", count=3)
    assert not (await import_paths(world, [tmp_path / "pictures", tmp_path / "sounds"])).failed
    await world.run_all_stages(STAGES)
    ids = await _ids(world)

    before = await find_similar(world, ids["disc.png"])
    assert before.method == WAVELET_METHOD and before.query_type == "image"
    assert before.hits[0].filename == "disc_copy.jpg"
    assert {h.asset_type for h in before.hits} == {"image"} and len(before.hits) == 4

    manager = world.resources.get(ModelExecutionManager)
    await image_embeddings.import_image_model_weights(manager, tiny_clip, tiny_weights_file)
    await world.run_all_stages(STAGES)
    after = await find_similar(world, ids["disc.png"])
    assert after.method == TINY_EMBEDDING_MODEL and after.method_label == TINY_EMBEDDING_MODEL
    assert after.hits[0].filename == "disc_copy.jpg"
    assert {h.asset_type for h in after.hits} == {"image"} and {h.model for h in after.hits} == {
        TINY_EMBEDDING_MODEL
    }

    sound = await find_similar(world, ids["sound_01.wav"])
    assert sound.query_type == "audio" and {h.asset_type for h in sound.hits} == {"audio"}
