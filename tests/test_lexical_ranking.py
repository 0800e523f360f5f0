"""The lexical ranking of a sentence (BM25 over names, locations and tags) on both backends: FTS5's
own on SQLite, computed from the word table on PostgreSQL. Rare words outweigh common ones, a name
outweighs a folder, a short tag a long one; plurals and prefixes find their words, stop words
nothing; a tag query narrows it; renames, tags and the trash move assets in and out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from dam_desktop.services.search import lexical, lexical_reads_postgres
from dam_desktop.services.tags import tag_service
from tests.test_name_path_search import place
from tests.test_tag_support import AssetSpec, make_assets


async def _ranked(world: Any, sentence: str, limit: int = 20, **kwargs: Any) -> list[str]:
    async with world.session() as s:
        return [h.filename for h in await lexical.rank_by_words(s, sentence, limit=limit, **kwargs)]


async def _library(world: Any, specs: list[AssetSpec]) -> list[int]:
    async with world.session() as s:
        ids = await make_assets(s, specs)
        await s.commit()
    return ids


async def test_a_rare_word_outweighs_a_common_one(world: Any) -> None:
    common = [AssetSpec(name=f"sunset_{n}.png", tags=("beach",)) for n in range(12)]
    await _library(world, [*common, AssetSpec(name="zebra.png"), AssetSpec(name="pebble.png")])
    ranked = await _ranked(world, "sunset zebra")
    assert ranked[0] == "zebra.png"
    assert set(ranked[1:]) == {f"sunset_{n}.png" for n in range(12)}
    beach = await _ranked(world, "beach pebble")
    assert beach[0] == "pebble.png"


async def test_a_name_outweighs_a_folder_and_a_short_tag_a_long_one(world: Any) -> None:
    _, filed, _, _ = await _library(
        world,
        [
            AssetSpec(name="harbor.png"),
            AssetSpec(name="b.png"),
            AssetSpec(name="c.png", tags=("lantern",)),
            AssetSpec(name="d.png", tags=("lantern festival night parade crowd",)),
        ],
    )
    async with world.session() as s:
        await place(s, filed, "/photos/harbor/b.png")
        await s.commit()
    assert await _ranked(world, "harbor") == ["harbor.png", "b.png"]
    assert await _ranked(world, "lantern") == ["c.png", "d.png"]


async def test_the_best_tags_are_read_until_their_assets_outrank_the_rest(world: Any) -> None:
    """Two tags' uses are the same two assets: a third asset, under a longer tag, still makes a
    page of three."""
    await _library(
        world,
        [
            AssetSpec(name="a.png", tags=("owl", "owl chick")),
            AssetSpec(name="b.png", tags=("owl", "owl chick")),
            AssetSpec(name="c.png", tags=("owl nest box",)),
            AssetSpec(name="d.png", tags=("heron",)),
        ],
    )
    ranked = await _ranked(world, "owl", limit=3)
    assert set(ranked[:2]) == {"a.png", "b.png"}
    assert ranked[2:] == ["c.png"]


async def test_plurals_prefixes_and_stop_words(world: Any) -> None:
    await _library(
        world,
        [AssetSpec(name="storm.png"), AssetSpec(name="box.png"), AssetSpec(name="of_the_night.png")],
    )
    assert await _ranked(world, "storms") == ["storm.png"]  # the singular is asked for too
    assert await _ranked(world, "boxes") == ["box.png"]
    assert await _ranked(world, "sto") == ["storm.png"]  # a word is a prefix
    assert await _ranked(world, "the of") == []  # stop words say nothing
    async with world.session() as s:
        hits = await lexical.rank_by_words(s, "the storm", limit=5)
    assert [(h.filename, h.coverage) for h in hits] == [("storm.png", 1.0)]


async def test_an_exact_name_comes_first_and_a_tag_query_narrows(world: Any) -> None:
    ids = await _library(
        world,
        [AssetSpec(name="river.png"), AssetSpec(name="river_bank.png"), AssetSpec(name="river_delta.png")],
    )
    assert (await _ranked(world, "River.PNG"))[0] == "river.png"
    async with world.session() as s:
        exact = await lexical.exact_name_matches(s, "RIVER")
    assert [(h.filename, h.score) for h in exact] == [("river.png", 1.0)]
    assert await _ranked(world, "river", allowed_entity_ids=[ids[2]]) == ["river_delta.png"]
    assert await _ranked(world, "river", allowed_entity_ids=[]) == []


async def test_renames_tags_and_the_trash_move_assets(world: Any) -> None:
    boat, kite, moth = await _library(
        world, [AssetSpec(name="boat.png"), AssetSpec(name="kite.png"), AssetSpec(name="moth.png")]
    )
    assert await _ranked(world, "harbour") == []
    async with world.session() as s:
        await s.execute(
            text("UPDATE component_file_properties SET original_filename = :n WHERE entity_id = :e"),
            {"n": "harbour_boat.png", "e": boat},
        )
        await tag_service.add_tags(s, [kite, moth], ["harbour"])
        await s.commit()
    assert set(await _ranked(world, "harbour")) == {"harbour_boat.png", "kite.png", "moth.png"}
    async with world.session() as s:
        await tag_service.remove_tags(s, [kite], ["harbour"])
        await s.execute(text("INSERT INTO component_trashed (entity_id) VALUES (:e)"), {"e": moth})
        await s.commit()
    assert await _ranked(world, "harbour") == ["harbour_boat.png"]


async def test_a_word_most_names_hold_still_ranks_with_a_rare_one(world: Any, monkeypatch: Any) -> None:
    """On PostgreSQL a word more names hold than `COMMON` is counted and only its newest holders
    read (here `COMMON` is 2): the asset holding the rare word too still comes first, and the rest
    follow."""
    monkeypatch.setattr(lexical_reads_postgres, "COMMON", 2)
    await _library(
        world,
        [*(AssetSpec(name=f"river_{n}.png") for n in range(5)), AssetSpec(name="otter_river.png")],
    )
    ranked = await _ranked(world, "river otter")
    assert ranked[0] == "otter_river.png"
    assert set(ranked[1:]) == {f"river_{n}.png" for n in range(5)}
    assert await _ranked(world, "otter") == ["otter_river.png"]
