"""Camera RAW, SVG and HEIC images are embedded by the image model through their thumbnails: the
model's own decoder cannot open them, and a RAW's TIFF skeleton would be misread."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.models.core.pipeline_markers import NeedsEmbeddingMarker
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.services.semantic import image_embeddings
from dam_desktop.services.semantic.semantic_service import SemanticSettings
from tests.media_kind_factory import ADWAITA_ICON, write_dng, write_heic
from tests.test_semantic_clip import tiny_clip, tiny_vectors

__all__ = ["tiny_clip"]  # the fixture, used by name


@pytest.mark.usefixtures("qapp")  # SVG text needs Qt's fonts
async def test_raw_svg_and_heic_get_image_embeddings(
    world: World, tiny_clip: SemanticSettings, tmp_path: Path, tiny_weights_file: Path
) -> None:
    folder = tmp_path / "card"
    folder.mkdir()
    write_dng(folder / "frame.dng", (256, 192))
    write_heic(folder / "phone.heic", (200, 150))
    shutil.copy(ADWAITA_ICON, folder / "icon.svg")
    report = await import_paths(world, [folder])
    assert report.failed == [] and len(report.imported) == 3
    manager = world.resources.get(ModelExecutionManager)
    await image_embeddings.import_image_model_weights(manager, tiny_clip, tiny_weights_file)

    [outcome] = await world.run_all_stages([SystemStage.IMAGE_EMBEDDING])
    assert outcome.failed == {} and outcome.finished == 3
    async with world.session() as session:
        assert await session.scalar(select(func.count()).select_from(NeedsEmbeddingMarker)) == 0
    assert {row.entity_id for row in await tiny_vectors(world)} == set(report.imported)
