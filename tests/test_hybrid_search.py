"""Hybrid search by sentence with the real MiniLM weights: words (BM25) fused with MiniLM, an exact
file name first, the rankers named; camera counters left out of tagged assets' embedded text; the
CLI's `search --semantic` and queries starting with `-`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from PIL import Image

from dam_desktop.cli.main import main
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.world import World
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.services.semantic.embedding_text import texts_for_entities
from dam_desktop.services.semantic.semantic_search import LEXICAL, SemanticHit, fuse
from dam_desktop.services.tags import tag_service
from dam_desktop.use_cases import search as search_cases
from dam_desktop.world_setup import open_world
from tests.test_semantic_text_search import NAMES, library, text_manager

__all__ = ["library", "text_manager"]  # the fixtures, shared with the MiniLM text search tests


async def test_an_exact_file_name_comes_first_and_the_rankers_are_named(
    world: World, library: dict[str, int]
) -> None:
    found = await search_cases.search_by_sentence(world, "img_0002.PNG", limit=5)
    assert (found.hits[0].filename, found.hits[0].model) == ("IMG_0002.png", "exact name")
    assert found.rankers == ["words (BM25)", "all-MiniLM-L6-v2"]
    assert any("image model" in note for note in found.notes)
    stem = await search_cases.search_by_sentence(world, "IMG_0001", limit=5)
    assert stem.hits[0].filename == "IMG_0001.png"


async def test_words_and_meaning_both_find_and_a_tag_query_narrows(
    world: World, library: dict[str, int]
) -> None:
    by_words = await search_cases.search_by_sentence(world, "spreadsheet", limit=3)
    assert by_words.hits[0].filename == "office_spreadsheet_screenshot.png"
    by_meaning = await search_cases.search_by_sentence(world, "automobile after dark", limit=3)
    assert by_meaning.hits[0].filename == "red_sports_car_at_night.png"
    narrowed = await search_cases.search_by_sentence(world, "spreadsheet", where="name:IMG_*", limit=3)
    assert {h.filename for h in narrowed.hits} <= {"IMG_0001.png", "IMG_0002.png"}


async def test_camera_counters_leave_the_text_of_tagged_assets_only(
    world: World, library: dict[str, int]
) -> None:
    async with world.session() as session:
        await tag_service.add_tags(session, [library["IMG_0002.png"]], ["kitten", "sleeping"])
        texts = {
            t.entity_id: t.text
            for t in await texts_for_entities(session, [library["IMG_0001.png"], library["IMG_0002.png"]])
        }
        await session.rollback()
    assert texts == {library["IMG_0001.png"]: "IMG 0001", library["IMG_0002.png"]: "kitten, sleeping"}


def test_search_semantic_prints_hits_and_the_rankers(
    tmp_path: Path,
    text_manager: ModelExecutionManager,
    capsys: pytest.CaptureFixture[str],
    library_location: Path | str,
) -> None:
    folder = tmp_path / "pictures"
    folder.mkdir()
    for i, name in enumerate(NAMES):
        Image.new("RGB", (16, 16), (i * 40, 90, 90)).save(folder / name)

    async def build() -> None:
        world = await open_world(library_location)
        try:
            await import_paths(world, [folder])
        finally:
            await world.close()

    asyncio.run(build())
    status = main(
        ["--library", str(library_location), "search", "--semantic", "IMG_0001.png", "--limit", "3"]
    )
    captured = capsys.readouterr()
    assert status == 0
    assert captured.out.splitlines()[0].split("\t")[3:] == ["IMG_0001.png", "exact name"]
    assert "dam-desktop: ranked by words (BM25) + all-MiniLM-L6-v2\n" in captured.err


def _hit(entity_id: int, score: float, model: str) -> SemanticHit:
    return SemanticHit(entity_id, score, "image", f"{entity_id}.png", model)


def test_words_held_by_half_a_sentence_or_less_do_not_reorder_the_models() -> None:
    models = [_hit(1, 0.61, "all-MiniLM-L6-v2"), _hit(2, 0.60, "all-MiniLM-L6-v2")]
    weak = [_hit(2, 1 / 3, LEXICAL), _hit(3, 0.5, LEXICAL)]
    assert [h.entity_id for h in fuse([weak, models], 3)][:2] == [1, 2]
    strong = [_hit(2, 2 / 3, LEXICAL)]
    assert [h.entity_id for h in fuse([strong, models], 3)] == [2, 1]
    assert fuse([strong, models], 3)[0].model == LEXICAL  # ranked best there
