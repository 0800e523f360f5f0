"""The search box's autocomplete source: tags with namespaces and use counts, namespaces, the
query's terms and their values, and the word under the cursor that a suggestion replaces."""

from __future__ import annotations

from typing import Any

from dam_desktop.use_cases import search as search_cases
from dam_desktop.use_cases.search import Suggestion, WordSpan, word_at
from tests.test_tag_support import AssetSpec, make_assets


async def test_tags_come_most_used_first_with_counts_then_namespaces_and_terms(world: Any) -> None:
    async with world.session() as s:
        await make_assets(
            s,
            [
                AssetSpec(tags=("nature", "character:nadia")),
                AssetSpec(tags=("nature", "narrow gap")),
                AssetSpec(tags=("nature",), trashed=True),
            ],
        )
        await s.commit()
    got = await search_cases.autocomplete(world, "na")
    assert got[0] == Suggestion("nature", "tag", "2 assets", 2)
    assert [g.text for g in got] == ["nature", '"narrow gap"', "character:nadia", "name:"]
    assert got[-1].kind == "term" and "IMG_2*" in got[-1].detail
    namespaces = await search_cases.autocomplete(world, "char")
    assert [(g.text, g.kind, g.detail) for g in namespaces] == [
        ("character:nadia", "tag", "1 asset"),
        ("character:", "namespace", "1 tags, 1 asset"),
    ]


async def test_terms_and_their_values(world: Any) -> None:
    assert [g.text for g in await search_cases.autocomplete(world, "type:")] == [
        "type:image",
        "type:audio",
        "type:video",
        "type:document",
        "type:font",
        "type:other",
    ]
    assert [g.text for g in await search_cases.autocomplete(world, "TYPE:au")] == ["type:audio"]
    assert [g.text for g in await search_cases.autocomplete(world, "pa")] == ["path:"]
    assert await search_cases.autocomplete(world, "name:IMG") == []
    every = {g.text for g in await search_cases.autocomplete(world, "")}
    assert {"name:", "path:", "ext:", "untagged", "has:tags", "width:"} <= every


def test_the_word_under_the_cursor_leaves_operators_outside() -> None:
    query = "cat -(dog | char) name:IMG"
    assert word_at(query, 3) == WordSpan(0, 3, "cat")
    assert word_at(query, 9) == WordSpan(6, 9, "dog")
    assert word_at(query, 16) == WordSpan(12, 16, "char")
    assert word_at(query, len(query)) == WordSpan(18, 26, "name:IMG")
    assert word_at("-sto", 4) == WordSpan(1, 4, "sto")
    assert word_at("cat ", 4) == WordSpan(4, 4, "")
    assert word_at("cat dog", 1) == WordSpan(0, 3, "cat")  # the whole word, also after the cursor


def test_a_tag_is_written_as_a_term_that_finds_it() -> None:
    assert search_cases.term_for_tag("cat") == "cat"
    assert search_cases.term_for_tag("big cat") == '"big cat"'
    assert search_cases.term_for_tag("character:alice") == "character:alice"
    assert search_cases.term_for_tag("character:big cat") == 'character:"big cat"'
    assert search_cases.term_for_tag("untagged") == '"untagged"'
    assert search_cases.term_for_tag("type:image") == '"type:image"'
