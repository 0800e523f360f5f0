"""A tiny CLIP (the real open_clip architecture, random weights) from a weights file the user
imports, all the way from importing pictures to text→image search and "find similar"."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import LargeBinary, func, select
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.cli.main import main
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.models.core.pipeline_markers import NeedsEmbeddingMarker
from dam_desktop.models.files import FilePropertiesComponent
from dam_desktop.models.semantic.image_embedding_component import (
    IMAGE_EMBEDDING_MODEL_REGISTRY,
    BaseSpecificImageEmbeddingComponent,
    get_image_embedding_component_class,
)
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.services.semantic import image_embeddings
from dam_desktop.services.semantic.audio_service import AudioSettings
from dam_desktop.services.semantic.semantic_search import find_similar, search_by_sentence
from dam_desktop.services.semantic.semantic_service import SemanticSettings
from dam_desktop.services.semantic.vector_index import VectorIndexCache
from tests.tagging_fixtures import TINY_ARCH, draw_image, tiny_weights_file  # noqa: F401

TINY_EMBEDDING_MODEL = "test-tiny-clip"


class TinyClipEmbeddingComponent(BaseSpecificImageEmbeddingComponent):
    """Only in tests: the table of the tiny model's 32-d vectors."""

    __tablename__ = "component_embedding_test_tiny_clip_d32"

    embedding_vector: Mapped[bytes] = mapped_column(LargeBinary)


@pytest.fixture
def tiny_clip(
    world: World,
    tmp_path: Path,
    tiny_weights_file: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> SemanticSettings:
    monkeypatch.setitem(
        IMAGE_EMBEDDING_MODEL_REGISTRY,
        TINY_EMBEDDING_MODEL,
        {
            "model_class": TinyClipEmbeddingComponent,
            "default_params": {
                "architecture": TINY_ARCH,
                "pretrained": "random-init",
                "dimensions": 32,
                "hf_hub": "",
            },
        },
    )
    settings = world.resources.get(SemanticSettings)
    settings.image_model = TINY_EMBEDDING_MODEL
    settings.models_dir = tmp_path / "models"
    world.resources.get(AudioSettings).models_dir = tmp_path / "models"
    return settings


async def _create_tiny_table(world: World) -> None:
    async with world.engine.begin() as conn:
        await conn.run_sync(TinyClipEmbeddingComponent.__table__.create, checkfirst=True)


def _pictures(folder: Path) -> dict[str, Path]:
    made = {kind: draw_image(folder / f"{kind}.png", kind) for kind in ("disc", "stripes", "square", "line")}
    # The disc again, as a JPEG: the nearest picture to the disc whatever the weights.
    with Image.open(made["disc"]) as img:
        img.convert("RGB").save(folder / "disc_copy.jpg", quality=92)
    made["disc_copy"] = folder / "disc_copy.jpg"
    return made


def test_the_registry_routes_the_tiny_model_to_its_own_table(tiny_clip: SemanticSettings) -> None:
    assert get_image_embedding_component_class(TINY_EMBEDDING_MODEL) is TinyClipEmbeddingComponent


async def test_tiny_clip_runs_from_import_to_search(
    world: World,
    tiny_clip: SemanticSettings,
    tmp_path: Path,
    tiny_weights_file: Path,  # noqa: F811
) -> None:
    await _create_tiny_table(world)
    pictures = _pictures(tmp_path / "pictures")
    report = await import_paths(world, [tmp_path / "pictures"])
    assert not report.failed and len(report.imported) == 5

    # Without weights the images wait, markers untouched.
    await world.run_all_stages([SystemStage.TEXT_EMBEDDING, SystemStage.IMAGE_EMBEDDING])
    async with world.session() as session:
        waiting = await session.scalar(select(func.count()).select_from(NeedsEmbeddingMarker))
        assert waiting == 5
        assert await session.scalar(select(func.count()).select_from(TinyClipEmbeddingComponent)) == 0

    from dam_desktop.core.model_manager import ModelExecutionManager

    manager = world.resources.get(ModelExecutionManager)
    installed = await image_embeddings.import_image_model_weights(manager, tiny_clip, tiny_weights_file)
    assert installed.is_file() and installed.is_relative_to(tmp_path / "models")

    await world.run_all_stages([SystemStage.TEXT_EMBEDDING, SystemStage.IMAGE_EMBEDDING])
    async with world.session() as session:
        assert await session.scalar(select(func.count()).select_from(NeedsEmbeddingMarker)) == 0
        rows = (await session.scalars(select(TinyClipEmbeddingComponent))).all()
        assert len(rows) == 5 and all(len(r.embedding_vector) == 32 * 4 for r in rows)
        ids = {
            h.filename: h.entity_id
            for h in await image_embeddings.search_images_by_text(
                session, world.resources.get(VectorIndexCache), manager, tiny_clip, "a red disc", limit=10
            )
        }
        assert set(ids) == {p.name for p in pictures.values()}

        similar = await find_similar(
            session,
            world.resources.get(VectorIndexCache),
            tiny_clip,
            world.resources.get(AudioSettings),
            ids["disc.png"],
            limit=4,
        )
        assert similar.hits[0].filename == "disc_copy.jpg"
        assert similar.hits[0].model == TINY_EMBEDDING_MODEL
        assert ids["disc.png"] not in {h.entity_id for h in similar.hits}

        sentence = await search_by_sentence(
            session,
            world.resources.get(VectorIndexCache),
            manager,
            tiny_clip,
            world.resources.get(AudioSettings),
            "stripes",
            limit=10,
        )
        assert {h.model for h in sentence.hits} >= {TINY_EMBEDDING_MODEL}
        assert len({h.entity_id for h in sentence.hits}) == len(sentence.hits)


async def test_an_image_without_an_embedding_is_compared_by_name_and_tags(
    world: World, tiny_clip: SemanticSettings, tmp_path: Path
) -> None:
    await _create_tiny_table(world)
    _pictures(tmp_path / "pictures")
    await import_paths(world, [tmp_path / "pictures"])
    await world.run_all_stages(
        [SystemStage.TEXT_EMBEDDING, SystemStage.IMAGE_EMBEDDING]
    )  # text only: no weights
    async with world.session() as session:
        disc = await session.scalar(
            select(FilePropertiesComponent.entity_id).where(
                FilePropertiesComponent.original_filename == "disc.png"
            )
        )
        assert disc is not None
        results = await find_similar(
            session,
            world.resources.get(VectorIndexCache),
            tiny_clip,
            world.resources.get(AudioSettings),
            disc,
        )
    assert results.hits[0].filename == "disc_copy.jpg"
    assert results.hits[0].model == "all-MiniLM-L6-v2"
    assert any("compared by name and tags" in note for note in results.notes)


def test_cli_similar_reports_an_unknown_asset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["--library", str(tmp_path / "lib"), "similar", "12345"])
    captured = capsys.readouterr()
    assert status == 1
    assert captured.out == ""
    assert "There is no asset 12345" in captured.err
