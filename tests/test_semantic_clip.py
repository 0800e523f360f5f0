"""A tiny CLIP (the real open_clip architecture, random weights) from a weights file the user
imports, all the way from importing pictures to text→image search and "find similar"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from dam_desktop.cli.main import main
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.models.core.pipeline_markers import NeedsEmbeddingMarker
from dam_desktop.models.files import FilePropertiesComponent
from dam_desktop.models.semantic.image_embedding_component import ImageEmbeddingComponent
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.services.semantic import image_embeddings
from dam_desktop.services.semantic.audio_service import AudioSettings
from dam_desktop.services.semantic.semantic_search import find_similar, search_by_sentence
from dam_desktop.services.semantic.semantic_service import SemanticSettings
from dam_desktop.services.semantic.vector_index import VectorIndexCache
from tests.tagging_fixtures import TINY_ARCH, TINY_CONFIG, draw_image, tiny_weights_file  # noqa: F401

TINY_EMBEDDING_MODEL = "test-tiny-clip"


def write_tiny_catalogue(folder: Path, name: str = TINY_EMBEDDING_MODEL, **extra: object) -> Path:
    """A catalogue file (DAM_DESKTOP_MODEL_CATALOGUE) listing the tiny model as image model `name`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{TINY_ARCH}.json").write_text(json.dumps(TINY_CONFIG))
    entry = {
        "name": name,
        "title": "Tiny test CLIP",
        "tasks": ["image-search", "image-tags"],
        "family": "open_clip",
        "architecture": TINY_ARCH,
        "pretrained": "random-init",
        "dimensions": 32,
        "size_bytes": 0,
        "licence": "MIT",
        "open_clip_config": f"{TINY_ARCH}.json",
        # Random weights give a nearly flat distribution over the vocabulary: keep the best three.
        "tag_threshold": 0.0,
        "max_tags": 3,
        **extra,
    }
    catalogue = folder / "catalogue.json"
    catalogue.write_text(json.dumps({"version": 1, "models": [entry]}))
    return catalogue


@pytest.fixture
def tiny_clip(
    world: World,
    tmp_path: Path,
    tiny_weights_file: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> SemanticSettings:
    """The world's image model is the tiny CLIP, listed by an added catalogue file."""
    monkeypatch.setenv("DAM_DESKTOP_MODEL_CATALOGUE", str(write_tiny_catalogue(tmp_path / "catalogue")))
    settings = world.resources.get(SemanticSettings)
    settings.image_model = TINY_EMBEDDING_MODEL
    settings.models_dir = tmp_path / "models"
    world.resources.get(AudioSettings).models_dir = tmp_path / "models"
    return settings


async def tiny_vectors(world: World, model: str = TINY_EMBEDDING_MODEL) -> list[ImageEmbeddingComponent]:
    async with world.session() as session:
        rows = await session.scalars(
            select(ImageEmbeddingComponent).where(ImageEmbeddingComponent.model_name == model)
        )
        return list(rows.all())


def _pictures(folder: Path) -> dict[str, Path]:
    made = {kind: draw_image(folder / f"{kind}.png", kind) for kind in ("disc", "stripes", "square", "line")}
    # The disc again, as a JPEG: the nearest picture to the disc whatever the weights.
    with Image.open(made["disc"]) as img:
        img.convert("RGB").save(folder / "disc_copy.jpg", quality=92)
    made["disc_copy"] = folder / "disc_copy.jpg"
    return made


async def test_tiny_clip_runs_from_import_to_search(
    world: World,
    tiny_clip: SemanticSettings,
    tmp_path: Path,
    tiny_weights_file: Path,  # noqa: F811
) -> None:
    pictures = _pictures(tmp_path / "pictures")
    report = await import_paths(world, [tmp_path / "pictures"])
    assert not report.failed and len(report.imported) == 5

    # Without weights the images wait, markers untouched.
    await world.run_all_stages([SystemStage.TEXT_EMBEDDING, SystemStage.IMAGE_EMBEDDING])
    async with world.session() as session:
        waiting = await session.scalar(select(func.count()).select_from(NeedsEmbeddingMarker))
        assert waiting == 5
    assert await tiny_vectors(world) == []

    from dam_desktop.core.model_manager import ModelExecutionManager

    manager = world.resources.get(ModelExecutionManager)
    installed = await image_embeddings.import_image_model_weights(manager, tiny_clip, tiny_weights_file)
    assert installed.is_file() and installed.is_relative_to(tmp_path / "models")

    await world.run_all_stages([SystemStage.TEXT_EMBEDDING, SystemStage.IMAGE_EMBEDDING])
    async with world.session() as session:
        assert await session.scalar(select(func.count()).select_from(NeedsEmbeddingMarker)) == 0
    rows = await tiny_vectors(world)
    assert len(rows) == 5 and all(len(r.embedding_vector) == 32 * 4 for r in rows)
    async with world.session() as session:
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


def test_cli_similar_reports_an_unknown_asset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    status = main(["--library", str(library_location), "similar", "12345"])
    captured = capsys.readouterr()
    assert status == 1
    assert captured.out == ""
    assert "There is no asset 12345" in captured.err
