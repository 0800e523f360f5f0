"""A tag query compiled: text -> syntax tree -> predicate and parameters, ready for the planner.

`search_service` (the world) and `use_cases.quick_reads` (the command line on plain sqlite3) both
compile here; the session is either kind (`core.plain_session`). Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from dam_desktop.core.plain_session import fetch_rows
from dam_desktop.core.read_cache import CACHE_TTL_S, read_cache
from dam_desktop.core.sql_dialect import ALL_ROWS, POSTGRESQL, dialect_name
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.search.tag_query.ast import Node
from dam_desktop.services.search.tag_query.errors import QueryError, QueryLimitError
from dam_desktop.services.search.tag_query.parser import parse
from dam_desktop.services.search.tag_query.planner import Stats, needs_counts
from dam_desktop.services.search.tag_query.text_terms import count_text_terms
from dam_desktop.services.search.tag_query.to_sql import (
    AllOf,
    AnyOf,
    Component,
    Const,
    Pred,
    TagSet,
    TextMatch,
    compile_query,
)

if TYPE_CHECKING:
    from dam_desktop.core.plain_session import AnySession
    from dam_desktop.core.read_pool import ReadPool, ServerReads
    from dam_desktop.services.tags.tag_types import ResolvedTags

Query = str | Node


@dataclass(frozen=True)
class CompiledQuery:
    pred: Pred
    params: dict[str, Any]

    @property
    def matches_all(self) -> bool:
        return isinstance(self.pred, Const) and self.pred.value


def parse_query(query: Query) -> Node:
    return parse(query) if isinstance(query, str) else query


def syntax_error(query: str) -> QueryError | None:
    """The syntax error in `query`, or None; needs no database (for checking while typing)."""
    try:
        parse(query)
    except QueryError as exc:
        return exc
    return None


async def compile_search(
    session: AnySession,
    query: Query,
    known: dict[str, ResolvedTags] | None = None,
    *,
    defer_counts: bool = False,
) -> CompiledQuery:
    """`known`, `defer_counts`: see `compile_query` (and `counted_for` for the deferred counts)."""
    if isinstance(query, str) and "\x00" in query and dialect_name(session) == POSTGRESQL:
        raise QueryError("PostgreSQL text cannot hold the NUL character", query.index("\x00"))
    pred, params = await compile_query(session, parse_query(query), known, defer_counts=defer_counts)
    if (joined := _joined_terms(pred)) > MAX_JOINED:
        raise QueryLimitError(
            f"more than {MAX_JOINED} different terms that must all match ({joined}): ask for fewer at once",
            0,
        )
    return CompiledQuery(pred, params)


async def counted_for(
    session: AnySession, compiled: CompiledQuery, sort: SortKey, limit: int | None
) -> CompiledQuery:
    """The compiled query with the text terms counted that a page in `sort` order of `limit` rows
    needs to plan (`planner.needs_counts`); a count round trip fewer where it needs none."""
    if not needs_counts(compiled.pred, sort, limit, await library_stats(session)):
        return compiled
    return CompiledQuery(await count_text_terms(session, compiled.pred, compiled.params), compiled.params)


# Terms that must all hold become joins (a tag, a word, a component each read a table for the
# asset). PostgreSQL's planner weighs every order of them: 48 took it 0.5 s to plan, 120 took 15 s
# and 200 took minutes and gigabytes (each join adds to one growing equivalence class). Repeats
# are folded first (`cat cat`), and exclusions (`-cat`, anti-joins) and plain conditions on the
# asset's own row (`width:>100`) do not count.
MAX_JOINED = 32


def _joined_terms(pred: Pred) -> int:
    if isinstance(pred, AllOf):
        return sum(
            _joined_terms(i) if isinstance(i, AllOf | AnyOf) else int(_reads_a_table(i)) for i in pred.items
        )
    if isinstance(pred, AnyOf):
        return sum(_joined_terms(i) for i in pred.items)
    return 0


def _reads_a_table(pred: Pred) -> bool:
    return isinstance(pred, TagSet | TextMatch | Component)


async def library_stats(session: AnySession) -> Stats:
    """About how many assets and how many trashed entities: cheap, for the planner's estimates.
    Remembered in the world's read cache (`core.read_sessions`) until the next change or for
    `CACHE_TTL_S`: a round trip fewer for each search on a shared library."""
    cache = read_cache(session)
    kept = cache.get(STATS_KEY) if cache is not None else None
    if kept is not None and time.monotonic() - kept[0] < CACHE_TTL_S:
        return cast(Stats, kept[1])
    stats = _stats(await fetch_rows(session, _STATS_SQL))
    if cache is not None:
        cache[STATS_KEY] = (time.monotonic(), stats)
    return stats


async def remember_library_stats(reads: ReadPool | ServerReads, cache: dict[str, Any]) -> Stats:
    """`library_stats` read on the world's plain read connections into its read cache (on
    opening): the first page then plans without a session, whose first connection of its own
    would otherwise stand between a library switch and its first painted grid."""
    stats = _stats(await reads.fetchall(_STATS_SQL))
    cache[STATS_KEY] = (time.monotonic(), stats)
    return stats


def _stats(rows: Sequence[Sequence[Any]]) -> Stats:
    ((assets, trashed),) = rows
    return Stats(int(assets or 0), int(trashed or 0))


_STATS_SQL = (
    "SELECT (SELECT max(id) FROM component_file_properties), (SELECT count(*) FROM component_trashed)"
)
# Where `library_stats` keeps its figures in the read cache.
STATS_KEY = "search.library_stats"


def page_params(compiled: CompiledQuery, offset: int, limit: int | None) -> dict[str, Any]:
    """The bind parameters of a page's SQL: the query's own, the limit and the offset."""
    return {**compiled.params, "limit": ALL_ROWS if limit is None else int(limit), "offset": int(offset)}
