"""Hostile queries get a typed error naming the term, never a traceback.

The limits (nesting, number of terms), numeric overflow and bytes that are not UTF-8, each checked
directly; then a property-based fuzz test: random text, deep nesting and long inputs either run
against a real small library (search and count) or raise only `QueryError`.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dam_desktop.services.search import search_service
from dam_desktop.services.search.compiled_query import MAX_JOINED
from dam_desktop.services.search.tag_query import QueryError, QueryTermError, parse
from dam_desktop.services.search.tag_query.errors import QueryEncodingError, QueryLimitError
from dam_desktop.services.search.tag_query.parser import MAX_DEPTH, MAX_TERMS
from dam_desktop.services.tags import tag_service
from dam_desktop.services.tags.tag_service import TagNameError
from tests.test_tag_support import AssetSpec, make_assets

TAGS = ["cat", "dog", "ns:alice", "big cat"] + [f"t{i}" for i in range(MAX_TERMS)]


async def _library(world: Any) -> None:
    """A few assets of each type, every one of `TAGS` in use (once per world)."""
    async with world.session() as session:
        if await search_service.count(session, ""):
            return
        ids = await make_assets(
            session,
            [
                AssetSpec("a.png", width=640, height=480, tags=("cat", "ns:alice")),
                AssetSpec("b.wav", asset_type="audio", ext="wav", duration=2.5, tags=("dog",)),
                AssetSpec("c.png", width=10_000, height=20, tags=("big cat",)),
                AssetSpec("d.bin", asset_type="other", ext="bin", trashed=True),
            ],
        )
        await tag_service.add_tags(session, ids[:1], TAGS[4:])
        await session.commit()


async def _run(world: Any, query: str) -> None:
    async with world.session() as session:
        compiled = await search_service.compile_search(session, query)
        await search_service.search(session, compiled, limit=10)
        await search_service.count(session, compiled)


def test_parentheses_nested_260_deep_are_refused_at_the_level_that_went_over() -> None:
    query = "(" * 260 + "cat" + ")" * 260
    with pytest.raises(QueryLimitError, match=f"nested more than {MAX_DEPTH} levels") as caught:
        parse(query)
    assert caught.value.position == MAX_DEPTH
    with pytest.raises(QueryLimitError):
        parse("-" * 5000 + "cat")


async def test_a_thousand_terms_are_refused_naming_the_first_over_the_limit(world: Any) -> None:
    await _library(world)
    query = " ".join(f"t{i}" for i in range(1000))
    with pytest.raises(QueryLimitError, match=f"more than {MAX_TERMS} terms \\(at 't{MAX_TERMS}'\\)"):
        parse(query)
    # At the limit, every term a real tag, any of them runs (1,000 made SQLite's compound SELECT
    # fail); all of them at once is more joins than a planner should weigh, and says so.
    async with world.session() as session:
        assert await search_service.count(session, " | ".join(TAGS[4:])) == 1
        assert await search_service.count(session, " ".join(TAGS[4 : 4 + MAX_JOINED])) == 1
        with pytest.raises(
            QueryLimitError, match=f"more than {MAX_JOINED} different terms that must all match"
        ):
            await search_service.count(session, " ".join(TAGS[4:]))
        # A term repeated is the term once: two hundred times `cat` is one join.
        assert await search_service.count(session, " ".join(["cat"] * MAX_TERMS)) == 1
        assert await search_service.count(session, " ".join(['"big cat" -dog'] * (MAX_TERMS // 2))) == 1
    with pytest.raises(QueryLimitError):
        parse("type:" + "|".join(["image"] * (MAX_TERMS + 1)))


@pytest.mark.parametrize(
    "query",
    ["width:>99999999999999999999", "size:>99999999999999999999TB", "duration:<" + "9" * 400, "height:1e999"],
)
async def test_numbers_too_large_for_the_database_are_a_term_error(world: Any, query: str) -> None:
    await _library(world)
    with pytest.raises(QueryTermError) as caught:
        await _run(world, query)
    assert query.split(":")[0] in str(caught.value)


def test_bytes_that_are_not_utf8_in_a_query_name_the_word() -> None:
    query = "dog " + b"cat\xff\xfe".decode("utf-8", "surrogateescape") + " x"
    with pytest.raises(QueryEncodingError) as caught:
        parse(query)
    assert caught.value.position == 7
    assert "'cat\\xff\\xfe' holds bytes that are not UTF-8" in str(caught.value)


async def test_bytes_that_are_not_utf8_in_a_tag_name_are_refused(world: Any) -> None:
    name = b"caf\xe9".decode("utf-8", "surrogateescape")
    async with world.session() as session:
        with pytest.raises(TagNameError, match="caf\\\\xe9"):
            await tag_service.add_tags(session, [1], [name])


_WORDS = st.sampled_from(
    [
        *TAGS[:6],
        *["type:image", "type:audio|other", "ext:png", "untagged", "width:>100", "duration:<=3"],
        *["size:>1kb", "added:>2026-01", "t*", '"big cat"', 'ns:"alice"', "has:tags"],
        "width:>99999999999999999999",
    ]
)
_STRUCTURED = st.recursive(
    _WORDS,
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(" ".join),
        st.tuples(inner, inner).map(" | ".join),
        inner.map(lambda q: f"-{q}"),
        inner.map(lambda q: f"({q})"),
        st.tuples(st.integers(1, 300), inner).map(lambda t: "(" * t[0] + t[1] + ")" * t[0]),
        st.tuples(st.integers(1, 400), inner).map(lambda t: " ".join([t[1]] * t[0])),
    ),
    max_leaves=12,
)
_NOISE = st.text(
    alphabet=st.one_of(
        st.sampled_from([*'()|-":*<>=. \t\\', "\udcff", "\udc80", "\x00", "9"]),
        st.characters(codec=None, exclude_categories=()),
    ),
    max_size=300,
)


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(query="(" * 260 + "cat" + ")" * 260)
@example(query=" ".join(f"t{i}" for i in range(1000)))
@example(query="width:>99999999999999999999")
@example(query="cat\udcff")
@example(query='cat "unterminated')
@given(query=st.one_of(_STRUCTURED, _NOISE, st.tuples(_STRUCTURED, _NOISE).map(" ".join)))
async def test_any_query_runs_or_raises_only_a_query_error(world: Any, query: str) -> None:
    await _library(world)
    try:
        await _run(world, query)
    except QueryError as exc:
        text = str(exc)
        assert text.startswith("position ") and "\n" not in text
        assert 0 <= exc.position <= len(query)
