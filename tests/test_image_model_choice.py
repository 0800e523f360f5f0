"""The library's image model: each vector names its model, searches read only the chosen model's
vectors, and choosing another model (`models use`, the Models dialog) re-embeds in the background
through the pipeline's markers, with one loaded model serving embeddings and tags and each image
decoded once."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from dam_desktop.cli.main import main
from dam_desktop.core.migrations import upgrade_library
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.world import World
from dam_desktop.ml import zero_shot_tagger
from dam_desktop.ml.catalogue import get_entry
from dam_desktop.ml.model_store import import_model
from dam_desktop.models.core.pipeline_markers import NeedsAutoTaggingMarker, NeedsEmbeddingMarker
from dam_desktop.models.semantic import ImageEmbeddingComponent
from dam_desktop.models.tags import ModelGeneratedTagLinkComponent
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.services.semantic import image_embeddings
from dam_desktop.services.semantic.semantic_service import SemanticSettings
from dam_desktop.services.semantic.vector_index import VectorIndexCache
from dam_desktop.use_cases import pipeline
from dam_desktop.use_cases.models import use_image_model
from dam_desktop.world_setup import open_world
from tests.model_fixtures import TinyModels
from tests.tagging_fixtures import draw_image

KINDS = ("disc", "stripes", "square", "line")


async def _vectors_by_model(world: World) -> dict[str, set[int]]:
    async with world.session() as session:
        rows = await session.execute(
            select(ImageEmbeddingComponent.model_name, ImageEmbeddingComponent.entity_id)
        )
        found: dict[str, set[int]] = {}
        for model, entity_id in rows.all():
            found.setdefault(model, set()).add(int(entity_id))
        return found


async def _waiting(world: World) -> int:
    """Images the embedding and the tag stages have not done yet."""
    count = 0
    async with world.session() as session:
        for marker in (NeedsEmbeddingMarker, NeedsAutoTaggingMarker):
            count += int(await session.scalar(select(func.count()).select_from(marker)) or 0)
    return count


async def _search(world: World, query: str) -> list[int]:
    async with world.session() as session:
        hits = await image_embeddings.search_images_by_text(
            session,
            world.resources.get(VectorIndexCache),
            world.resources.get(ModelExecutionManager),
            world.resources.get(SemanticSettings),
            query,
            limit=10,
        )
    return [h.entity_id for h in hits]


@pytest.mark.sqlite_only("an old library folder's SQLite file, upgraded")
async def test_vectors_made_before_the_upgrade_keep_their_model(tmp_path: Path) -> None:
    library = tmp_path / "old"
    library.mkdir()
    db_path = library / "dam.sqlite3"
    upgrade_library(db_path, "0013_soundprint_v2")
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO entities (id, created_at) VALUES (1, '2026-01-02 03:04:05')")
        conn.execute(
            "INSERT INTO component_embedding_clip_vit_b32_d512 (entity_id, embedding_vector) VALUES (1, ?)",
            (b"\1" * 2048,),
        )
    async with await World.open(library) as world, world.session() as session:
        rows = (await session.execute(select(ImageEmbeddingComponent))).scalars().all()
        assert [(r.entity_id, r.model_name, r.embedding_vector) for r in rows] == [
            (1, "clip-vit-b-32", b"\1" * 2048)
        ]


async def test_choosing_another_model_re_embeds_in_the_background_and_search_follows_it(
    world: World,
    tiny_models: TinyModels,
    tmp_path: Path,
    library_location: Path | str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import_model(get_entry("tiny-clip"), tiny_models.weights)
    import_model(get_entry("tiny-clip-p16"), tiny_models.p16_weights)
    decoded: Counter[str] = Counter()
    real_decode = zero_shot_tagger.open_image_for_tagging

    def counting_decode(path: Path, size: int) -> Any:
        decoded[Path(path).name] += 1
        return real_decode(path, size)

    monkeypatch.setattr(zero_shot_tagger, "open_image_for_tagging", counting_decode)
    for kind in KINDS:
        draw_image(tmp_path / "pictures" / f"{kind}.png", kind)
    report = await import_paths(world, [tmp_path / "pictures"])
    ids = sorted(report.imported)

    choice = await use_image_model(world, "tiny-clip")
    assert (choice.model_name, choice.tagging_model, choice.waiting) == (
        "tiny-clip",
        "dam-test-tiny-vit/random-init",
        4,
    )
    await pipeline.run_stages(world, list(world.scheduler.stages))
    assert await _vectors_by_model(world) == {"tiny-clip": set(ids)}
    assert sorted(decoded.values()) == [1, 1, 1, 1]  # each stored file once: the tag stage decoded none
    manager = world.resources.get(ModelExecutionManager)
    assert [m for m in manager.loaded_models() if m[1] == choice.tagging_model] == [
        ("open_clip_embedder", choice.tagging_model)
    ]  # one model for embeddings, search and tags
    assert sorted(await _search(world, "a red disc")) == ids

    decoded.clear()
    choice = await use_image_model(world, "tiny-clip-p16")
    assert choice.waiting == 4 and choice.embedded == {"tiny-clip": 4}
    async with world.session() as session:  # the old model's proposals are gone; the new one's come
        left = await session.scalar(select(func.count()).select_from(ModelGeneratedTagLinkComponent))
        assert left == 0
    await pipeline.start_background_work(world, lambda _step: None, model_work_paused=False)
    for _ in range(1200):  # the pipeline wakes on the change event; wait for the markers to drain
        if await _waiting(world) == 0:
            break
        await asyncio.sleep(0.05)
    await pipeline.stop_background_work(world)
    assert await _vectors_by_model(world) == {"tiny-clip": set(ids), "tiny-clip-p16": set(ids)}
    assert sorted(decoded.values()) == [1, 1, 1, 1]
    async with world.session() as session:
        models = set((await session.scalars(select(ModelGeneratedTagLinkComponent.source_model_name))).all())
    assert models == {"dam-test-tiny-vit-p16/random-init"}

    # Only the chosen model's vectors answer: an image without one is not found, whatever the other has.
    async with world.session() as session:
        await session.execute(
            delete(ImageEmbeddingComponent).where(
                ImageEmbeddingComponent.entity_id == ids[0],
                ImageEmbeddingComponent.model_name == "tiny-clip-p16",
            )
        )
        await session.commit()
    assert sorted(await _search(world, "a red disc")) == ids[1:]

    reopened = await _reopen(world, library_location)
    try:
        assert reopened.resources.get(SemanticSettings).image_model == "tiny-clip-p16"
    finally:
        await reopened.close()


async def _reopen(world: World, library: Path | str) -> World:
    await world.close()
    return await open_world(library)


def test_models_use_names_the_library_and_refuses_what_is_no_image_model(
    tiny_models: TinyModels, tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    library = str(library_location)
    assert main(["--library", library, "models", "use", "no-such-model"]) == 1
    assert "no model named 'no-such-model'" in capsys.readouterr().err
    assert main(["--library", library, "models", "use", "clap-htsat-unfused"]) == 1
    assert "'clap-htsat-unfused' is not an image model" in capsys.readouterr().err
    assert main(["--library", library, "models", "use", "tiny-clip"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("tiny-clip: in use for image search, find similar and AI tags; 0 images embedded")
