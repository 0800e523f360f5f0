"""Name and word search through the word index (PostgreSQL's word table, SQLite's FTS5): prefixes
of every length, whole words, globs, unicode folding, and the index kept in step with renames,
tags and removals. Every query is also counted and paged, so the ordered reads agree with the
unordered ones."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from dam_desktop.core.text_words import FRESH_TERMS, WORDS
from dam_desktop.services.search import search_service
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.search.tag_words import write_listed_tag_words
from dam_desktop.services.tags import tag_service
from tests.pg_server import test_backend
from tests.test_name_path_search import ids_for
from tests.test_query_semantics import assert_every_count_agrees, assert_every_walk_agrees
from tests.test_tag_support import AssetSpec, make_assets


@pytest.fixture
async def library(world: Any) -> dict[str, int]:
    async with world.session() as s:
        ids = await make_assets(
            s,
            [
                AssetSpec(name="sky_storm.png", tags=("skyline",)),
                AssetSpec(name="Ñandú_Größe.jpg", ext="jpg"),
                AssetSpec(name="IMG_4001.jpg", ext="jpg"),
                AssetSpec(name="XIMG_4002.jpg", ext="jpg"),
                AssetSpec(name="IMG_5401.jpg", ext="jpg", tags=("stormy weather",)),
                AssetSpec(name="notes.txt", ext="txt", tags=("skyward",)),
            ],
        )
        await s.commit()
    return dict(zip(["sky", "nandu", "img4", "ximg", "img5", "notes"], ids, strict=True))


async def test_prefixes_of_every_length_and_whole_words(world: Any, library: dict[str, int]) -> None:
    async with world.session() as s:
        assert await ids_for(s, "sk") == {library["sky"], library["notes"]}
        assert await ids_for(s, "sky") == {library["sky"], library["notes"]}  # a name word and tags
        assert await ids_for(s, "skyw") == {library["notes"]}
        assert await ids_for(s, '"sky"') == {library["sky"]}  # quoted: the whole word
        assert await ids_for(s, "name:sky") == {library["sky"]}  # the name only, not tags
        assert await ids_for(s, "name:skyline") == set()
        assert await ids_for(s, "sto") == {library["sky"], library["img5"]}
        assert await ids_for(s, "name:sto") == {library["sky"]}
        assert await ids_for(s, "tor") == set()  # inside a word, not its start
        assert await ids_for(s, '"stormy weather"') == {library["img5"]}
        assert await ids_for(s, '"weather stormy"') == set()


async def test_accents_and_case_fold_in_words_and_globs(world: Any, library: dict[str, int]) -> None:
    async with world.session() as s:
        for query in ("nan", "ÑAN", "nandu", "name:NANDÚ", "name:gro", "name:größe", "name:ñandu_*"):
            assert await ids_for(s, query) == {library["nandu"]}, query


async def test_globs_read_their_whole_words_only_where_they_are_whole(
    world: Any, library: dict[str, int]
) -> None:
    async with world.session() as s:
        assert await ids_for(s, "name:IMG_4*") == {library["img4"]}
        assert await ids_for(s, "name:*IMG_4*") == {library["img4"], library["ximg"]}
        assert await ids_for(s, "name:img_?401.jpg") == {library["img5"]}
        assert await ids_for(s, "name:img_4?01.JPG") == {library["img4"]}
        assert await ids_for(s, "name:?mg_*") == {library["img4"], library["img5"]}
        assert await ids_for(s, 'name:"img_4001.JPG"') == {library["img4"]}
        assert await ids_for(s, "name:IMG_54*") == {library["img5"]}


async def test_words_follow_renames_tags_and_removals(world: Any, library: dict[str, int]) -> None:
    async with world.session() as s:
        await s.execute(
            text("UPDATE component_file_properties SET original_filename = :n WHERE entity_id = :e"),
            {"n": "harbour.png", "e": library["sky"]},
        )
        assert await ids_for(s, "name:sky") == set()
        assert await ids_for(s, "sky") == {library["sky"], library["notes"]}  # its tag still matches
        assert await ids_for(s, "har") == {library["sky"]}
        assert await ids_for(s, "harbo") == {library["sky"]}
        await tag_service.rename_tag(s, await tag_service.require_tag(s, "skyline"), "horizon")
        assert await ids_for(s, "sky") == {library["notes"]}
        assert await ids_for(s, "hor") == {library["sky"]}
        await tag_service.remove_tags(s, [library["sky"]], ["horizon"])
        assert await ids_for(s, "hor") == set()
        await tag_service.add_tags(s, [library["nandu"]], ["harbour lights"])
        await write_listed_tag_words(s)  # on PostgreSQL the words stage writes a new link's words
        assert await ids_for(s, "har") == {library["sky"], library["nandu"]}
        await s.execute(text("DELETE FROM entities WHERE id = :e"), {"e": library["sky"]})
        assert await ids_for(s, "har") == {library["nandu"]}
        await s.commit()


async def test_a_prefix_pages_newest_first_and_counts_each_asset_once(world: Any) -> None:
    async with world.session() as s:
        ids = await make_assets(
            s, [AssetSpec(name=f"stone_{n}.png", tags=("stonework", "stony")) for n in range(7)]
        )
        await s.commit()
        newest = list(reversed(ids))
        assert await search_service.search(s, "sto", 0, 3) == newest[:3]
        assert await search_service.search(s, "sto", 3, 3) == newest[3:6]
        await assert_every_walk_agrees(s, "sto", newest, SortKey.ADDED, True, (2, 3))
        await assert_every_walk_agrees(s, "name:ston", newest, SortKey.ADDED, True, (0, 4))
        await assert_every_count_agrees(s, "sto", 7)
        await assert_every_count_agrees(s, "name:stone", 7)


async def test_globs_page_both_ways_and_counts_leave_the_trash_out(world: Any) -> None:
    async with world.session() as s:
        specs = [AssetSpec(name=f"IMG_{n:04d}.jpg", tags=("imagery",), trashed=n == 3) for n in range(6)]
        ids = await make_assets(s, specs)
        await s.commit()
        live = [i for n, i in enumerate(ids) if n != 3]
        assert await search_service.search(s, "name:img_*", 0, 2) == live[::-1][:2]
        await assert_every_walk_agrees(s, "name:img_*", live, SortKey.ADDED, False, (1, 2))
        await assert_every_walk_agrees(s, "name:img_00*.jpg", live[::-1], SortKey.ADDED, True, (2, 2))
        await assert_every_walk_agrees(s, "ima", live[::-1], SortKey.ADDED, True, (0, 3))
        for query in ("name:img_*", "name:img_000?.jpg", "img", "ima", "name:img", '"imagery"'):
            await assert_every_count_agrees(s, query, 5)


async def test_globs_and_exact_names_over_long_names_and_renames(world: Any) -> None:
    long_name = "Long_" + "é" * 120 + "_middle_" + "x" * 120 + "_end.png"  # longer than a name term
    async with world.session() as s:
        (long, short) = await make_assets(s, [AssetSpec(name=long_name), AssetSpec(name="Long_e.png")])
        await s.commit()
        assert await ids_for(s, "name:long_*") == {long, short}
        assert await ids_for(s, "name:LONG_E*_END.PNG") == {long}
        assert await ids_for(s, "name:long_e*") == {long, short}
        assert await ids_for(s, f'name:"{long_name.upper()}"') == {long}
        assert await ids_for(s, f"name:{long_name[:240]}*") == {long}
        assert await ids_for(s, 'name:"long_e.png"') == {short}
        await s.execute(
            text("UPDATE component_file_properties SET original_filename = :n WHERE entity_id = :e"),
            {"n": "Short.png", "e": short},
        )
        assert await ids_for(s, 'name:"long_e.png"') == set()
        assert await ids_for(s, "name:sho*") == {short}
        assert await ids_for(s, 'name:"short.PNG"') == {short}


async def test_edits_leave_exactly_each_rows_words(world: Any, library: dict[str, int]) -> None:
    """PostgreSQL's triggers remove and add only the words that differ (migration 0030): after a
    rename that keeps some words, a bulk tag, a partial untag and a tag rename, the word table
    holds exactly the words made afresh from the text index and the links, and searches see them."""
    if test_backend() != "postgresql":
        pytest.skip("SQLite's FTS5 table keeps its own words")
    everyone = list(library.values())
    async with world.session() as s:
        await s.execute(
            text("UPDATE component_file_properties SET original_filename = :n WHERE entity_id = :e"),
            {"n": "sky_harbour.png", "e": library["sky"]},
        )
        await tag_service.add_tags(s, everyone, ["storm front 42"])
        await tag_service.remove_tags(s, [library["img4"], library["notes"]], ["storm front 42"])
        await tag_service.rename_tag(s, await tag_service.require_tag(s, "stormy weather"), "stormy days")
        # The words stage after the edits: the links removed meanwhile were taken off its list.
        await write_listed_tag_words(s)
        held = (await s.execute(text(f"SELECT term, entity_id, rowid FROM {WORDS}"))).all()
        fresh = (await s.execute(text(FRESH_TERMS))).all()
        assert sorted(held) == sorted(fresh)
        assert await ids_for(s, "name:sky") == {library["sky"]}
        assert await ids_for(s, "name:sto") == set()
        assert await ids_for(s, "name:harb") == {library["sky"]}
        assert await ids_for(s, "fro") == set(everyone) - {library["img4"], library["notes"]}
        assert await ids_for(s, "weather") == set()
        assert await ids_for(s, '"stormy days"') == {library["img5"]}


async def test_untagging_a_run_of_adjacent_assets_removes_only_their_words(world: Any) -> None:
    """An untag of many adjacent assets removes each term's words by reading along the term's
    range of assets (migration 0031): the words of names, of other tags and of the assets left
    tagged inside that range stay, and the word table holds exactly the words made afresh."""
    async with world.session() as s:
        ids = await make_assets(
            s, [AssetSpec(name=f"rock_{n}.png", tags=("rocky",) if n % 5 == 0 else ()) for n in range(90)]
        )
        await tag_service.add_tags(s, ids, ["rock band zed"])
        await write_listed_tag_words(s)
        kept = {ids[0], ids[45], ids[89]}
        await tag_service.remove_tags(s, [i for i in ids if i not in kept], ["rock band zed"])
        if test_backend() == "postgresql":
            held = (await s.execute(text(f"SELECT term, entity_id, rowid FROM {WORDS}"))).all()
            fresh = (await s.execute(text(FRESH_TERMS))).all()
            assert sorted(held) == sorted(fresh)
        assert await ids_for(s, "band") == kept
        assert await ids_for(s, '"zed"') == kept
        assert await ids_for(s, "rocky") == {ids[n] for n in range(0, 90, 5)}
        assert await ids_for(s, "roc") == set(ids)
        assert await ids_for(s, "name:roc") == set(ids)
        await tag_service.remove_tags(s, kept, ["rock band zed"])
        assert await ids_for(s, "band") == set()
        await s.commit()
