"""A search on a shared library that resolves its tag names in the same round trip as its page.

A search resolves its tag names (aliases, descendants) before it can plan: on PostgreSQL one
round trip of its own before the page's. Here the names resolved by an earlier search of the
world's read sessions are taken as they were, the statement is planned from them, and the
server is sent both the names' lookup and the statement at once (psycopg's pipeline: one round
trip). The statement's rows are kept only if the lookup answers what was remembered; otherwise
(another workstation renamed, merged or re-parented a tag since) the search is planned again from
the fresh answer and run once more. A result is never older than the lookup sent with it, as
when the two ran one after the other.

Only on PostgreSQL and in read sessions; anywhere else (SQLite, a session that writes, a query
given as a tree or compiled already) `remembered_rows` answers None and the caller runs as usual.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.read_cache import CACHE_TTL_S, reads_only_cache
from dam_desktop.core.sql_dialect import POSTGRESQL, dialect_name
from dam_desktop.services.search.compiled_query import CompiledQuery, compile_search, parse_query
from dam_desktop.services.search.tag_query.compiler import tag_names
from dam_desktop.services.tags import tag_resolve
from dam_desktop.services.tags.tag_types import ResolvedTags

Statement = tuple[str, dict[str, Any]]
# The statement to run for a compiled query, in the server's spelling (`search_service.for_dialect`).
Build = Callable[[CompiledQuery], Awaitable[Statement]]

_KEY = "search.remembered_tag_names"
_MAX_NAMES = 4096


async def remembered_rows(session: AsyncSession, query: object, build: Build) -> list[Any] | None:
    """The rows of `build(compiled query)`, its tag names resolved in the same round trip; None
    where this does not apply (see the module docstring)."""
    cache = reads_only_cache(session)
    if cache is None or not isinstance(query, str) or dialect_name(session) != POSTGRESQL:
        return None
    kept: dict[str, tuple[float, ResolvedTags]] = cache.setdefault(_KEY, {})
    now = time.monotonic()
    names = tag_names(parse_query(query))
    assumed = {n: kept[n][1] for n in names if n in kept and now - kept[n][0] < CACHE_TTL_S}
    looked_up = await tag_resolve.resolve_tag_query_names(session, [n for n in names if n not in assumed])
    _remember(kept, looked_up, now)
    known = {**assumed, **looked_up}
    compiled = await compile_search(session, query, known)
    lookup = tag_resolve.names_statement(session, assumed)
    if lookup is None:
        return await _rows(session, await build(compiled))
    sql, params, normalized = lookup
    found, rows = await _pipelined(session, (sql, params), await build(compiled))
    fresh = tag_resolve.resolved_names(found, normalized)
    _remember(kept, fresh, now)
    if all(fresh[n].ids == assumed[n].ids for n in normalized):
        return rows
    compiled = await compile_search(session, query, {**known, **fresh})
    return await _rows(session, await build(compiled))


async def _rows(session: AsyncSession, statement: Statement) -> list[Any]:
    sql, params = statement
    return list((await session.execute(text(sql), params)).all())


def _remember(
    kept: dict[str, tuple[float, ResolvedTags]], resolved: dict[str, ResolvedTags], now: float
) -> None:
    if len(kept) + len(resolved) > _MAX_NAMES:
        kept.clear()
    kept.update((name, (now, tags)) for name, tags in resolved.items())


async def _pipelined(
    session: AsyncSession, first: Statement, second: Statement
) -> tuple[list[Any], list[Any]]:
    """Both statements' rows, sent to the server together on the session's connection."""
    connection = await session.connection()
    driver: Any = (await connection.get_raw_connection()).driver_connection
    dialect = connection.dialect
    cursors = []
    async with driver.pipeline():
        for sql, params in (first, second):
            cursor = driver.cursor()
            await cursor.execute(str(text(sql).compile(dialect=dialect)), params)
            cursors.append(cursor)
    return list(await cursors[0].fetchall()), list(await cursors[1].fetchall())
