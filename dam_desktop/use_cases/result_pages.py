"""The grid's result, streamed: the first screen from one small page, the rest page by page after
it, and the exact count from a query of its own, so nothing the window shows waits on the size of
the result (at 1M assets, `type:image -x` matches 655k; listing them all took 2.2 s).

The query is compiled on the world's session (its tag names are looked up there); every page and
the count run on the library's plain sqlite3 read connections (`World.reads`), and a cancelled
read is interrupted inside SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from dam_desktop.services.search import search_service
from dam_desktop.services.search.compiled_query import remember_library_stats
from dam_desktop.services.search.paging import (
    PageCursor,
    PagedQuery,
    ResultPage,
    StreamedResult,
    following_limit,
)
from dam_desktop.services.search.sorting import SortKey

if TYPE_CHECKING:
    from dam_desktop.core.world import World

__all__ = [
    "FIRST_SCREEN",
    "PageCursor",
    "ResultPage",
    "StreamedResult",
    "count_result",
    "following_limit",
    "next_page",
    "open_search",
    "remember_planner_figures",
]

# More tiles than a large screen shows at the smallest zoom.
FIRST_SCREEN = 1_000


async def open_search(
    world: World,
    query: str,
    *,
    sort: SortKey = SortKey.ADDED,
    descending: bool | None = None,
    first: int | None = None,
) -> StreamedResult:
    """The first `first` (`FIRST_SCREEN`) assets matching the tag query (every asset for ""), in
    `sort` order, and what reads the rest. Raises `QueryError` for a query that does not parse or
    resolve.

    On a shared library the query is planned from what the world assumes its tag names stand
    for, and their lookup travels with the first page (`remembered_tags`): one round trip, not
    two. Should the lookup answer otherwise (a tag renamed elsewhere), it is planned again. So
    does the count of a text term the first page's plan does not need (`search_service.FirstPage`).
    """
    first = first or FIRST_SCREEN
    async with world.read_session() as session:
        assumed = await search_service.assumed_first_page(session, query, sort, descending, first=first)
        if assumed is None:
            paged = await search_service.paged_query(session, query, sort, descending, first=first)
    if assumed is None:
        sql, params = paged.first(first)
        return StreamedResult(await _page(world, paged, sql, params, first), paged)
    start, check = assumed
    checked = [] if check is None else [check.statement]
    page = search_service.for_dialect(world.dialect, start.sql, start.params)
    answers = await world.reads.fetch_together([*checked, *start.counting.values(), page])
    found, counted, rows = answers[: len(checked)], answers[len(checked) : -1], answers[-1]
    corrected = None if check is None else check.corrected(found[0])
    if corrected is None:
        paged = start.paged(counted)
        return StreamedResult(_result_page(paged, rows, first), paged)
    async with world.read_session() as session:  # planned again from the lookup's answer
        compiled = await search_service.compile_search(session, query, corrected)
        paged = await search_service.paged_query(session, compiled, sort, descending, first=first)
    sql, params = paged.first(first)
    return StreamedResult(await _page(world, paged, sql, params, first), paged)


async def remember_planner_figures(world: World) -> None:
    """Read what the planner needs to know of the library (on opening), so the first page asks
    only the plain read connections (`compiled_query.remember_library_stats`)."""
    await remember_library_stats(world.reads, world.read_cache)


async def next_page(world: World, cursor: PageCursor, limit: int | None) -> ResultPage:
    """The `limit` assets after the cursor's row, in the result's order (None: all the rest)."""
    sql, params = cursor.query.after(cursor.after, limit)
    return await _page(world, cursor.query, sql, params, limit)


async def count_result(world: World, query: PagedQuery) -> int:
    """How many assets the result holds, counted exactly (cancel the task to stop it)."""
    rows = await world.reads.fetchall(*search_service.for_dialect(world.dialect, *query.count()))
    return int(rows[0][0] or 0) if rows else 0


async def _page(
    world: World, query: PagedQuery, sql: str, params: dict[str, object], limit: int | None
) -> ResultPage:
    rows = await world.reads.fetchall(*search_service.for_dialect(world.dialect, sql, params))
    return _result_page(query, rows, limit)


def _result_page(query: PagedQuery, rows: Sequence[Sequence[Any]], limit: int | None) -> ResultPage:
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    more = limit is not None and len(rows) >= limit
    return ResultPage(ids, PageCursor(query, tuple(rows[-1])) if more else None)
