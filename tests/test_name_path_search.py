"""Names, locations and words in the query language: `name:`, `path:`, `ext:` and a bare word that
names no tag, each folding case and accents, kept in step with imports, tags and removals."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from dam_desktop.services.search import search_service
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.search.tag_query import QueryTermError
from dam_desktop.services.search.tag_words import write_listed_tag_words
from dam_desktop.services.tags import tag_service
from tests.test_query_semantics import assert_every_count_agrees, assert_every_walk_agrees
from tests.test_tag_support import AssetSpec, make_assets


async def ids_for(s: Any, query: str) -> set[int]:
    found = await search_service.search(s, query, limit=None)
    assert len(found) == len(set(found))
    assert await search_service.count(s, query) == len(found)
    return set(found)


async def place(s: Any, entity_id: int, path: str, *, managed: bool = False) -> None:
    """A location as imports write it: a reference's own path, or a managed copy's source."""
    await s.execute(
        text(
            "INSERT INTO component_file_location (entity_id, storage_type, path, source_path)"
            " VALUES (:e, :t, :p, :sp)"
        ),
        {
            "e": entity_id,
            "t": "managed" if managed else "reference",
            "p": f"files/ab/cd/{entity_id:064x}" if managed else path,
            "sp": path if managed else None,
        },
    )


@pytest.fixture
async def library(world: Any) -> dict[str, int]:
    async with world.session() as s:
        ids = await make_assets(
            s,
            [
                AssetSpec(name="Storm.jpg", ext="jpg", tags=("weather",)),
                AssetSpec(name="big_storm-night.PNG", ext="png"),
                AssetSpec(name="Été_à_Nice.png", ext="png"),
                AssetSpec(name="IMG_2104.jpg", ext="jpg", tags=("character:alice",)),
                AssetSpec(name="IMG_3001.jpg", ext="jpg"),
                AssetSpec(name="thunder.wav", asset_type="audio", ext="wav", tags=("Orage Électrique",)),
                AssetSpec(name="BigStorm.jpg", ext="jpg", trashed=True),
            ],
        )
        names = ["storm", "big", "ete", "img2104", "img3001", "thunder", "trashed"]
        found = dict(zip(names, ids, strict=True))
        await place(s, found["storm"], "/home/me/Pictures/2024/Storm.jpg")
        await place(s, found["big"], "/home/me/Pictures2/big_storm-night.PNG", managed=True)
        await place(s, found["ete"], "C:\\Users\\Zoë\\Vacances\\Été_à_Nice.png")
        await place(s, found["thunder"], "/mnt/sounds/Weather/thunder.wav")
        await s.commit()
    return found


async def test_a_bare_word_that_is_no_tag_finds_names_by_word_prefix(
    world: Any, library: dict[str, int]
) -> None:
    async with world.session() as s:
        assert await ids_for(s, "stor") == {library["storm"], library["big"]}
        assert await ids_for(s, "STORM") == {library["storm"], library["big"]}
        assert await ids_for(s, "night") == {library["big"]}
        assert await ids_for(s, "orm") == set()  # a prefix of a word, not any part of it
        assert await ids_for(s, "img_21") == {library["img2104"]}


async def test_bare_words_fold_accents_both_ways(world: Any, library: dict[str, int]) -> None:
    async with world.session() as s:
        assert await ids_for(s, "ete") == {library["ete"]}
        assert await ids_for(s, "ÉTÉ") == {library["ete"]}
        assert await ids_for(s, "nicé") == {library["ete"]}


async def test_a_bare_word_finds_words_of_tags_and_a_tag_stays_a_tag(
    world: Any, library: dict[str, int]
) -> None:
    async with world.session() as s:
        assert await ids_for(s, "electr") == {library["thunder"]}  # a word of the tag "orage électrique"
        assert await ids_for(s, "alic") == {library["img2104"]}  # after the namespace
        # `weather` is a tag: it means the tag, not the folder /mnt/sounds/Weather.
        assert await ids_for(s, "weather") == {library["storm"]}
        assert await ids_for(s, "-stor") == {
            library["ete"],
            library["img2104"],
            library["img3001"],
            library["thunder"],
        }
        assert await ids_for(s, "stor | thund") == {library["storm"], library["big"], library["thunder"]}
        assert await ids_for(s, '"big storm"') == {library["big"]}
        assert await ids_for(s, '"big sto"') == set()  # quoted: whole words


async def test_name_terms_words_globs_and_exact_names(world: Any, library: dict[str, int]) -> None:
    async with world.session() as s:
        assert await ids_for(s, "name:storm") == {library["storm"], library["big"]}
        assert await ids_for(s, "name:weather") == set()  # a tag, not a name
        assert await ids_for(s, "name:IMG_2*") == {library["img2104"]}
        assert await ids_for(s, "name:img_*") == {library["img2104"], library["img3001"]}
        assert await ids_for(s, "name:*storm*") == {library["storm"], library["big"]}
        assert await ids_for(s, "name:*.PNG") == {library["big"], library["ete"]}
        assert await ids_for(s, "name:ete_a_*") == {library["ete"]}
        assert await ids_for(s, "name:IMG_21?4.JPG") == {library["img2104"]}
        assert await ids_for(s, 'name:"storm.JPG"') == {library["storm"]}
        assert await ids_for(s, 'name:"storm"') == set()  # quoted: the whole name
        assert await ids_for(s, "name:*[*") == set()  # brackets are literal characters


async def test_path_terms_take_folders_anywhere_or_from_the_root(world: Any, library: dict[str, int]) -> None:
    async with world.session() as s:
        assert await ids_for(s, "path:/home/me/Pictures") == {library["storm"]}
        assert await ids_for(s, "path:/home/me/Pictures/") == {library["storm"]}
        assert await ids_for(s, "path:/home/me") == {library["storm"], library["big"]}  # managed: its source
        assert await ids_for(s, "path:pictures/2024") == {library["storm"]}
        assert await ids_for(s, "path:/pictures") == set()  # from the root: no such folder
        assert await ids_for(s, "path:weather") == {library["thunder"]}
        assert await ids_for(s, "path:zoe/vacances") == {library["ete"]}  # a Windows path, accents folded
        assert await ids_for(s, "path:/home/*/Pictures2") == {library["big"]}
        assert await ids_for(s, "path:/home/me/Pictures/2024/Storm.jpg") == {library["storm"]}


async def test_ext_terms(world: Any, library: dict[str, int]) -> None:
    async with world.session() as s:
        assert await ids_for(s, "ext:PNG") == {library["big"], library["ete"]}
        assert await ids_for(s, "ext:.jpg stor") == {library["storm"]}
        assert await ids_for(s, "ext:j*") == {library["storm"], library["img2104"], library["img3001"]}


async def test_the_index_follows_tags_renames_locations_and_removals(
    world: Any, library: dict[str, int]
) -> None:
    async with world.session() as s:
        await tag_service.add_tags(s, [library["img3001"]], ["sunset glow"])
        await write_listed_tag_words(s)  # on PostgreSQL the words stage writes a new link's words
        assert await ids_for(s, "glow") == {library["img3001"]}
        await tag_service.rename_tag(s, await tag_service.require_tag(s, "sunset glow"), "dusk")
        assert await ids_for(s, "glow") == set()
        assert await ids_for(s, "dus") == {library["img3001"]}
        await tag_service.remove_tags(s, [library["img3001"]], ["dusk"])
        assert await ids_for(s, "dus") == set()
        await s.execute(
            text("UPDATE component_file_location SET path = '/srv/archive/Storm.jpg' WHERE entity_id = :e"),
            {"e": library["storm"]},
        )
        assert await ids_for(s, "path:/srv/archive") == {library["storm"]}
        assert await ids_for(s, "path:/home/me/Pictures") == set()
        await s.execute(text("DELETE FROM entities WHERE id = :e"), {"e": library["storm"]})
        assert await ids_for(s, "stor") == {library["big"]}
        await s.commit()


async def test_text_terms_page_in_every_order_and_mix_with_tags(world: Any, library: dict[str, int]) -> None:
    async with world.session() as s:
        newest_first = await search_service.search(s, "img", 0, 1)
        assert newest_first == [library["img3001"]]
        assert await search_service.search(s, "img", 1, 1) == [library["img2104"]]
        by_name = await search_service.search(s, "stor | ete", 0, 10, SortKey.NAME)
        assert by_name == [library["big"], library["storm"], library["ete"]]  # as the grid sorts names
        assert await ids_for(s, "img character:alice") == {library["img2104"]}
        assert await ids_for(s, "stor -weather") == {library["big"]}
        await assert_every_walk_agrees(
            s, "img", [library["img3001"], library["img2104"]], SortKey.ADDED, True, (1, 1)
        )
        await assert_every_walk_agrees(
            s, "(stor -weather) | ete", [library["big"], library["ete"]], SortKey.SIZE, False, (0, 1)
        )
        await assert_every_count_agrees(s, "img", 2)


async def test_name_and_path_errors_name_the_term(world: Any, library: dict[str, int]) -> None:
    async with world.session() as s:
        with pytest.raises(QueryTermError) as caught:
            await search_service.search(s, "cat name:>3")
        assert caught.value.position == 4 and "name:" in caught.value.message
        with pytest.raises(QueryTermError) as caught:
            await search_service.search(s, "path:<x")
        assert caught.value.position == 0 and "path:" in caught.value.message
        assert await ids_for(s, "name:__") == set()


async def test_an_asset_whose_name_and_tags_both_match_comes_once(world: Any) -> None:
    async with world.session() as s:
        (both,) = await make_assets(s, [AssetSpec(name="Storm.jpg", tags=("storm chaser", "stormy sky"))])
        await s.commit()
        assert await search_service.search(s, "stor", limit=None) == [both]
        assert await search_service.count(s, "stor") == 1
        await assert_every_walk_agrees(s, "stor", [both], SortKey.NAME, False, (0, 1))
        await assert_every_count_agrees(s, "stor", 1)


TRICKY = [
    "Ärger_über_Öl.JPG",
    "arger.png",
    "IMG_4001.jpg",
    "IMG_4.jpg",
    "img-41.png",
    "IMG4x.png",
    "a.b.c_d.png",
    "ab_12.tif",
    "x.png",
    "X2.PNG",
    "Crème brûlée.jpg",
    "CREME.jpg",
    "_underscore_.png",
    "2024.01.05 party.jpg",
    "naïve%100.png",
    "O'Neil [draft].psd",
]
# What each query finds among TRICKY, as SQLite's FTS5 index and GLOB find it; PostgreSQL's
# trigram-indexed regular expressions must find the same (one and two letters have no trigram).
TRICKY_QUERIES: dict[str, set[str]] = {
    "a": {"a.b.c_d.png", "ab_12.tif", "arger.png", "Ärger_über_Öl.JPG"},
    "ab": {"ab_12.tif"},
    "x": {"X2.PNG", "x.png"},
    "x2": {"X2.PNG"},
    "crem": {"CREME.jpg", "Crème brûlée.jpg"},
    "creme": {"CREME.jpg", "Crème brûlée.jpg"},
    "brul": {"Crème brûlée.jpg"},
    "arg": {"arger.png", "Ärger_über_Öl.JPG"},
    "uber": {"Ärger_über_Öl.JPG"},
    "img": {"IMG4x.png", "IMG_4.jpg", "IMG_4001.jpg", "img-41.png"},
    "img_4": {"IMG_4.jpg", "IMG_4001.jpg", "img-41.png"},
    "img_40": {"IMG_4001.jpg"},
    "4001": {"IMG_4001.jpg"},
    "01": {"2024.01.05 party.jpg"},
    '"05 party"': {"2024.01.05 party.jpg"},
    "c_d": {"a.b.c_d.png"},
    "d": {"O'Neil [draft].psd", "a.b.c_d.png"},
    "naive": {"naïve%100.png"},
    "100": {"naïve%100.png"},
    "neil": {"O'Neil [draft].psd"},
    "o'neil": {"O'Neil [draft].psd"},
    "name:a": {"a.b.c_d.png", "ab_12.tif", "arger.png", "Ärger_über_Öl.JPG"},
    "name:ab": {"ab_12.tif"},
    "name:img4": {"IMG4x.png"},
    "name:IMG_4*": {"IMG_4.jpg", "IMG_4001.jpg"},
    "name:img_4?.*": set(),
    "name:img_400?.*": {"IMG_4001.jpg"},
    "name:*.JPG": {
        "2024.01.05 party.jpg",
        "CREME.jpg",
        "Crème brûlée.jpg",
        "IMG_4.jpg",
        "IMG_4001.jpg",
        "Ärger_über_Öl.JPG",
    },
    "name:a.b*": {"a.b.c_d.png"},
    "name:*_*": {
        "IMG_4.jpg",
        "IMG_4001.jpg",
        "_underscore_.png",
        "a.b.c_d.png",
        "ab_12.tif",
        "Ärger_über_Öl.JPG",
    },
    "name:IMG_4": {"IMG_4.jpg", "IMG_4001.jpg", "img-41.png"},
    "name:?.png": {"x.png"},
    "name:*ü*": {"Crème brûlée.jpg", "_underscore_.png", "Ärger_über_Öl.JPG"},
    "name:*U*": {"Crème brûlée.jpg", "_underscore_.png", "Ärger_über_Öl.JPG"},
    'name:"crème brûlée.JPG"': {"Crème brûlée.jpg"},
    'name:"x.png"': {"x.png"},
    'name:"x.*"': set(),
    "name:*[draft]*": {"O'Neil [draft].psd"},
    "name:naïve%*": {"naïve%100.png"},
    "name:*%*": {"naïve%100.png"},
    "name:*.*.*": {"2024.01.05 party.jpg", "a.b.c_d.png"},
    "name:2024.01*": {"2024.01.05 party.jpg"},
}


async def test_tricky_names_are_found_alike_on_both_backends(world: Any) -> None:
    async with world.session() as s:
        ids = await make_assets(s, [AssetSpec(name=n, ext=n.rsplit(".", 1)[1].lower()) for n in TRICKY])
        await s.commit()
        by_id = dict(zip(ids, TRICKY, strict=True))
        found = {q: {by_id[i] for i in await ids_for(s, q)} for q in TRICKY_QUERIES}
    assert found == TRICKY_QUERIES
