"""Text search with the real all-MiniLM-L6-v2 weights: names and tags, kept fresh when tags change."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import insert, select

from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.ml.model_thread import get_model_thread
from dam_desktop.models.semantic import NeedsTextEmbeddingMarker, TextEmbeddingAllMiniLML6V2Dim384Component
from dam_desktop.models.tags import ModelGeneratedTagLinkComponent
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.services.search import search_service
from dam_desktop.services.semantic import semantic_service
from dam_desktop.services.semantic.semantic_search import search_by_sentence
from dam_desktop.services.semantic.semantic_service import ModelTagsConfig, SemanticSettings
from dam_desktop.services.semantic.vector_index import VectorIndexCache
from dam_desktop.services.tags import tag_service
from dam_desktop.use_cases.pipeline import write_tag_words

NAMES = [
    "red_sports_car_at_night.png",
    "bowl_of_fresh_fruit.png",
    "mountain-lake-sunrise.png",
    "office_spreadsheet_screenshot.png",
    "IMG_0001.png",
    "IMG_0002.png",
]


@pytest.fixture(scope="module")
def text_manager() -> ModelExecutionManager:
    """One manager for the module, so MiniLM is loaded once."""
    return ModelExecutionManager(runner=get_model_thread())


@pytest.fixture
async def library(world: World, tmp_path: Path, text_manager: ModelExecutionManager) -> dict[str, int]:
    world.resources.add(text_manager)
    world.resources.get(SemanticSettings).models_dir = tmp_path / "no-models"
    folder = tmp_path / "pictures"
    folder.mkdir()
    for i, name in enumerate(NAMES):
        Image.new("RGB", (16, 16), (i * 40, 100, 200 - i * 30)).save(folder / name)
    report = await import_paths(world, [folder])
    assert not report.failed
    await world.execute_stage(SystemStage.TEXT_EMBEDDING)
    async with world.session() as session:
        hits = await semantic_service.search_by_text(
            session, world.resources.get(VectorIndexCache), text_manager, "x", limit=100
        )
    return {h.filename: h.entity_id for h in hits}


async def _search(world: World, text: str, **kwargs: object) -> list[str]:
    async with world.session() as session:
        hits = await semantic_service.search_by_text(
            session,
            world.resources.get(VectorIndexCache),
            world.resources.get(ModelExecutionManager),
            text,
            **kwargs,  # type: ignore[arg-type]
        )
    return [h.filename for h in hits]


async def _score(world: World, text: str, filename: str) -> float:
    async with world.session() as session:
        hits = await semantic_service.search_by_text(
            session,
            world.resources.get(VectorIndexCache),
            world.resources.get(ModelExecutionManager),
            text,
            limit=100,
        )
    return next(h.score for h in hits if h.filename == filename)


async def test_a_sentence_finds_the_asset_whose_name_means_it(world: World, library: dict[str, int]) -> None:
    assert len(library) == len(NAMES)
    assert (await _search(world, "fast automobile in the dark"))[0] == "red_sports_car_at_night.png"
    assert (await _search(world, "apples and bananas"))[0] == "bowl_of_fresh_fruit.png"
    assert (await _search(world, "dawn over the water in the hills"))[0] == "mountain-lake-sunrise.png"


async def test_adding_a_tag_refreshes_the_text_embedding(world: World, library: dict[str, int]) -> None:
    async with world.session() as session:
        await tag_service.add_tags(session, [library["IMG_0002.png"]], ["kitten", "sleeping"])
        await session.commit()
    # The stages run in order; on a shared library the words stage marks the tagged text first.
    await write_tag_words(world)
    async with world.session() as session:
        marked = await session.scalar(
            select(NeedsTextEmbeddingMarker.entity_id).where(
                NeedsTextEmbeddingMarker.entity_id == library["IMG_0002.png"]
            )
        )
    assert marked == library["IMG_0002.png"]
    await world.execute_stage(SystemStage.TEXT_EMBEDDING)
    assert (await _search(world, "a young cat taking a nap"))[0] == "IMG_0002.png"
    tagged_score = await _score(world, "a young cat taking a nap", "IMG_0002.png")
    async with world.session() as session:
        row = await session.scalar(
            select(TextEmbeddingAllMiniLML6V2Dim384Component).where(
                TextEmbeddingAllMiniLML6V2Dim384Component.entity_id == library["IMG_0002.png"]
            )
        )
    assert row is not None
    assert row.source_component_name == "FilePropertiesComponent"
    assert row.source_field_name == "original_filename_with_tags@v2"
    assert len(row.embedding_vector) == 384 * 4

    async with world.session() as session:
        await tag_service.remove_tags(session, [library["IMG_0002.png"]], ["kitten", "sleeping"])
        await session.commit()
    await world.execute_stage(SystemStage.TEXT_EMBEDDING)
    async with world.session() as session:
        field = await session.scalar(
            select(TextEmbeddingAllMiniLML6V2Dim384Component.source_field_name).where(
                TextEmbeddingAllMiniLML6V2Dim384Component.entity_id == library["IMG_0002.png"]
            )
        )
    assert field == "original_filename@v2"
    assert await _score(world, "a young cat taking a nap", "IMG_0002.png") < tagged_score - 0.2


async def test_model_tags_join_the_text_only_when_asked(world: World, library: dict[str, int]) -> None:
    target = library["IMG_0001.png"]
    manager = world.resources.get(ModelExecutionManager)
    async with world.session() as session:
        tag_id = await tag_service.get_or_create_tag_concept(session, "snowy owl")
        await session.execute(
            insert(ModelGeneratedTagLinkComponent),
            [
                {
                    "entity_id": target,
                    "tag_concept_entity_id": tag_id,
                    "source_model_name": "m",
                    "confidence": 0.9,
                }
            ],
        )
        plain = await semantic_service.update_text_embeddings_for_entity(session, target, manager)
        assert plain is not None and plain.source_field_name == "original_filename@v2"
        with_model_tags = await semantic_service.update_text_embeddings_for_entity(
            session, target, manager, include_model_tags_config=ModelTagsConfig(min_confidence=0.5)
        )
        assert (
            with_model_tags is not None
            and with_model_tags.source_field_name == "original_filename_with_tags@v2"
        )
        await session.commit()
    assert (await _search(world, "a white bird of prey in winter"))[0] == "IMG_0001.png"


async def test_semantic_results_can_be_narrowed_by_a_tag_query(world: World, library: dict[str, int]) -> None:
    chosen = [library["IMG_0001.png"], library["bowl_of_fresh_fruit.png"]]
    async with world.session() as session:
        await tag_service.add_tags(session, chosen, ["portfolio"])
        await session.commit()
        allowed = set(await search_service.search(session, "portfolio", limit=None))
        results = await search_by_sentence(
            session,
            world.resources.get(VectorIndexCache),
            world.resources.get(ModelExecutionManager),
            world.resources.get(SemanticSettings),
            world.resources.get(semantic_service_audio_settings()),
            "sports car",
            limit=10,
            allowed_entity_ids=allowed,
        )
    assert {h.entity_id for h in results.hits} == set(chosen)
    assert any("not installed" in note for note in results.notes)


def semantic_service_audio_settings() -> type:
    from dam_desktop.services.semantic.audio_service import AudioSettings

    return AudioSettings


def test_cli_semantic_search_prints_id_score_type_and_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    import asyncio

    from dam_desktop.cli.main import main
    from dam_desktop.world_setup import open_world

    folder = tmp_path / "pictures"
    folder.mkdir()
    for i, name in enumerate(NAMES[:4]):
        Image.new("RGB", (16, 16), (i * 50, 90, 90)).save(folder / name)

    async def build() -> None:
        world = await open_world(library_location)
        try:
            await import_paths(world, [folder])
        finally:
            await world.close()

    asyncio.run(build())
    status = main(
        ["--library", str(library_location), "search", "--semantic", "automobile after dark", "--limit", "2"]
    )
    out = capsys.readouterr().out.splitlines()
    assert status == 0
    assert len(out) == 2
    entity_id, score, asset_type, filename, model = out[0].split("\t")
    assert int(entity_id) > 0 and 0.0 < float(score) <= 1.0
    assert (asset_type, filename, model) == ("image", "red_sports_car_at_night.png", "all-MiniLM-L6-v2")
