"""A text term's matches are counted only where the page's plan depends on how many there are.

On PostgreSQL a `name:sto` page in date-added order reads the word table's rows for `sto` newest
first and stops when the page is full, however many there are: in a big library it is planned
without counting them, one statement instead of two. Where the count can change the plan
(another order, every row, a tag or a second word beside it, SQLite's FTS5 with its costly
start, a small library) it is counted first, and the answers are the same either way.
"""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dam_desktop.services.search import search_service
from dam_desktop.services.search.compiled_query import STATS_KEY
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.search.tag_query import planner
from dam_desktop.services.search.tag_query.planner import UncountedTerms, needs_counts
from dam_desktop.services.search.tag_query.predicates import (
    AllOf,
    AnyOf,
    Component,
    Cond,
    NotP,
    Pred,
    TagSet,
    TextMatch,
    with_estimates,
)
from dam_desktop.services.search.tag_query.walks import Stats
from dam_desktop.services.tags.tag_sql import MODEL_LINK
from dam_desktop.use_cases.result_pages import count_result, next_page, open_search
from tests.test_tag_support import AssetSpec, make_assets

WORD = TextMatch(":q0", None, word_rows=True, counted=False)
ESTIMATES = (0, 1, 7, 99, 100, 101, 1_000, 5_000, None)  # up to the count's cap; None past it
BIG = Stats(10**6, 100)

_checks = st.one_of(
    st.builds(Cond, st.just("fp.size_bytes > 10"), st.floats(0.0001, 1.0)),
    st.builds(lambda p: Component("component_image_dimensions", "x.width > 9", p), st.floats(0.0001, 1.0)),
    st.builds(lambda n: NotP(TagSet(frozenset({7}), n)), st.integers(0, 10**6)),
    st.builds(lambda n: TagSet(frozenset({8}), n, MODEL_LINK), st.integers(0, 10**6)),
    st.builds(lambda p: NotP(Cond("fp.size_bytes < 5", p)), st.floats(0.0001, 1.0)),
)


@settings(max_examples=300, deadline=None)
@given(
    checks=st.lists(_checks, max_size=4),
    total=st.integers(planner.COUNTED_BELOW, 10**8),
    trashed=st.integers(0, 10**5),
    offset=st.sampled_from([0, 100, 5_000]),
    limit=st.sampled_from([1, 100, 1_000, 20_000]),
    descending=st.booleans(),
    after=st.booleans(),
)
def test_a_lone_word_read_in_order_is_planned_alike_at_every_count(
    checks: list[Pred], total: int, trashed: int, offset: int, limit: int, descending: bool, after: bool
) -> None:
    """What lets the page skip the count: whatever the word matches, the same walk wins."""
    pred: Pred = AllOf((WORD, *checks)) if checks else WORD
    stats = Stats(total, trashed)
    assert not needs_counts(pred, SortKey.ADDED, limit, stats)
    page = (SortKey.ADDED, descending, limit, offset)
    chosen = {
        planner.plan_select(with_estimates(pred, {WORD.param: n}), stats, *page, after=after).sql
        for n in ESTIMATES
    }
    assert len(chosen) == 1, chosen
    uncounted = planner.plan_select(pred, stats, *page, after=after)
    assert {uncounted.sql} == chosen and uncounted.kind == "text"


def test_the_count_is_needed_where_it_can_choose_the_walk() -> None:
    tag = TagSet(frozenset({3}), 40)
    fts5 = TextMatch(":q0", None, counted=False)
    other = TextMatch(":q1", 12, word_rows=True)
    for pred, sort, limit in (
        (WORD, SortKey.NAME, 100),  # read all and sort, or walk the name index
        (WORD, SortKey.ADDED, None),  # every row: read them all, or scan every asset
        (AllOf((WORD, tag)), SortKey.ADDED, 100),  # the word's rows, or the tag's
        (AllOf((WORD, other)), SortKey.ADDED, 100),  # which word drives
        (AnyOf((WORD, tag)), SortKey.ADDED, 100),  # inside an OR, only a check
        (fts5, SortKey.ADDED, 100),  # FTS5's set-up outweighs a short walk for a common word
    ):
        assert needs_counts(pred, sort, limit, BIG), (pred, sort, limit)
    # A word may match most of a small library, which a scan then reads faster.
    assert needs_counts(WORD, SortKey.ADDED, 100, Stats(planner.COUNTED_BELOW - 1))
    assert not needs_counts(WORD, SortKey.ADDED, 100, Stats(planner.COUNTED_BELOW))
    # On a counted query there is nothing to count, whatever the plan.
    assert not needs_counts(AllOf((with_estimates(WORD, {WORD.param: 5}), tag)), SortKey.NAME, None, BIG)


def test_no_plan_is_made_from_a_count_it_needs_and_lacks() -> None:
    stats = BIG
    with pytest.raises(UncountedTerms):
        planner.plan_select(WORD, stats, SortKey.NAME, False, 100, 0)
    with pytest.raises(UncountedTerms):
        planner.plan_count(WORD, stats)
    with pytest.raises(UncountedTerms):
        planner.plan_ids(AllOf((WORD, Cond("fp.size_bytes > 1"))), stats)


@pytest.fixture
async def library(world: Any) -> dict[str, int]:
    async with world.session() as s:
        ids = await make_assets(
            s,
            [
                AssetSpec(name="storm_a.png", tags=("sea",), size=300),
                AssetSpec(name="calm.png", tags=("sea",), size=100),
                AssetSpec(name="Stormy_b.png", size=200),
                AssetSpec(name="big storm.png", tags=("sea", "sky"), size=50),
                AssetSpec(name="stow.png", size=10),
            ],
        )
        await s.commit()
    return dict(zip(["a", "calm", "b", "big", "stow"], ids, strict=True))


def _as_if_big(world: Any) -> None:
    """Make the world's planner take its library for a big one (the statistics it remembers, as
    read from a 1M-asset library), where a word's page may be planned uncounted."""
    world.read_cache[STATS_KEY] = (time.monotonic(), BIG)


async def _page(world: Any, query: str, sort: SortKey = SortKey.ADDED, limit: int | None = 2) -> list[int]:
    async with world.read_session() as s:
        return await search_service.search(s, query, limit=limit, sort=sort)


@pytest.mark.parametrize("taken_for_big", [False, True], ids=["as-it-is", "taken-for-1M"])
async def test_pages_answer_alike_counted_or_not(
    world: Any, library: dict[str, int], taken_for_big: bool
) -> None:
    if taken_for_big:
        _as_if_big(world)
    a, b, big, stow = library["a"], library["b"], library["big"], library["stow"]
    newest_first = sorted([a, b, big, stow], reverse=True)
    assert await _page(world, "name:sto") == newest_first[:2]  # planned without a count
    assert await _page(world, "name:sto", limit=None) == newest_first
    assert await _page(world, "name:sto", SortKey.SIZE) == [a, b]  # largest first: counted
    assert await _page(world, "name:sto sea") == sorted([a, big], reverse=True)
    assert await _page(world, "name:sto -sea") == sorted([b, stow], reverse=True)
    assert await _page(world, "name:storm sky") == [big]
    assert await _page(world, "name:sto name:big") == [big]
    async with world.read_session() as s:
        assert await search_service.count(s, "name:sto") == 4


async def test_a_shared_librarys_name_page_is_one_statement(
    world: Any, library: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the server is sent for `name:sto`'s first page: the page, nothing before it; and for
    the same page by size, the count its plan needs, then the page."""
    if not world.is_shared:
        pytest.skip("about the statements a PostgreSQL server is sent")
    _as_if_big(world)
    sent: list[str] = []
    execute = psycopg.AsyncCursor.execute

    async def recording(cursor: psycopg.AsyncCursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        if "pg_notify" not in str(query):  # the change feed's, not the search's
            sent.append(str(query))
        return await execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.AsyncCursor, "execute", recording)
    newest = sorted([library[k] for k in ("a", "b", "big", "stow")], reverse=True)[:2]
    assert await _page(world, "name:sto") == newest
    assert len(sent) == 1 and "LIMIT" in sent[0], sent
    sent.clear()
    assert await _page(world, "name:sto", SortKey.SIZE) == [library["a"], library["b"]]
    assert len(sent) == 2 and "count(*)" in sent[0] and "LIMIT" in sent[1], sent


async def test_a_shared_librarys_first_screen_sends_the_count_with_the_page(
    world: Any, library: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The grid's first screen of `name:sto`: its page and the word's count (which plans the rest
    of the result and its count) in one pipeline, one round trip; the result whole and counted."""
    if not world.is_shared:
        pytest.skip("about the statements a PostgreSQL server is sent")
    _as_if_big(world)
    sent: list[tuple[str, bool]] = []
    execute = psycopg.AsyncCursor.execute

    async def recording(cursor: psycopg.AsyncCursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        if "pg_notify" not in str(query):
            piped = cursor.connection.info.pipeline_status != psycopg.pq.PipelineStatus.OFF
            sent.append((str(query), piped))
        return await execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.AsyncCursor, "execute", recording)
    result = await open_search(world, "name:sto", first=2)
    newest = sorted([library[k] for k in ("a", "b", "big", "stow")], reverse=True)
    assert result.first.ids.tolist() == newest[:2]
    assert [piped for _, piped in sent] == [True, True], sent
    assert "count(*)" in sent[0][0] and "LIMIT" in sent[1][0], sent
    assert result.first.next is not None
    assert (await next_page(world, result.first.next, None)).ids.tolist() == newest[2:]
    assert await count_result(world, result.query) == 4
