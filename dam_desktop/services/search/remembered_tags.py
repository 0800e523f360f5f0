"""A search on a shared library that resolves its tag names in the same round trip as its page.

A search resolves its tag names (aliases, descendants) before it can plan: on PostgreSQL one
round trip of its own before the page's. Here the search plans at once from what it assumes the
names stand for: the answer an earlier search of the world's read sessions got from the server,
or else the world's tag dictionary (`tags.tag_dictionary`: every name and alias, read with the
first lookup and again after `DICTIONARY_MAX_AGE_S`). The server is then sent both the names'
lookup and the statement at once (psycopg's pipeline: one round trip). The statement's rows are
kept only if the lookup answers what was assumed; otherwise (a tag renamed, merged, re-parented
or made since, here or on another workstation) the search is planned again from the fresh answer
and run once more. A result is never older than the lookup sent with it, as when the two ran one
after the other.

Only on PostgreSQL and in read sessions; anywhere else (SQLite, a session that writes, a query
given as a tree or compiled already) `remembered_rows` answers None and the caller runs as usual.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.read_cache import checked_cache
from dam_desktop.core.read_pool import fetch_pipelined
from dam_desktop.core.sql_dialect import POSTGRESQL, dialect_name
from dam_desktop.services.search.compiled_query import CompiledQuery, compile_search, parse_query
from dam_desktop.services.search.tag_query.compiler import tag_names
from dam_desktop.services.tags import tag_resolve
from dam_desktop.services.tags.tag_dictionary import TagDictionary, dictionary_statements
from dam_desktop.services.tags.tag_types import ResolvedTags, TagNameError, normalize_tag_name

Statement = tuple[str, dict[str, Any]]
# The statement to run for a compiled query, in the server's spelling (`search_service.for_dialect`).
Build = Callable[[CompiledQuery], Awaitable[Statement]]

_KEY = "search.tag_names"
_MAX_CHECKED = 4096
# A dictionary this old is read again with the next lookup: its use counts steer plans.
DICTIONARY_MAX_AGE_S = 300.0


@dataclass
class _Names:
    """What the world's read sessions assume of tag names (in `core.read_cache.checked_cache`)."""

    dictionary: TagDictionary | None = None
    read_at: float = 0.0
    too_large: bool = False  # its library has more tags than a dictionary holds
    # Names as given -> the server's latest answer, newer than the dictionary.
    checked: dict[str, ResolvedTags] = field(default_factory=dict)

    def assumed(self, name: str, now: float) -> ResolvedTags | None:
        if (known := self.checked.get(name)) is not None:
            return known
        if self.dictionary is None or now - self.read_at > DICTIONARY_MAX_AGE_S:
            return None
        try:
            return self.dictionary.resolve(normalize_tag_name(name))
        except TagNameError:
            return None

    def wants_dictionary(self, now: float) -> bool:
        return not self.too_large and (self.dictionary is None or now - self.read_at > DICTIONARY_MAX_AGE_S)

    def install(self, dictionary: TagDictionary | None, now: float) -> None:
        self.too_large = dictionary is None
        self.dictionary, self.read_at = dictionary, now
        self.checked.clear()  # the dictionary is as new as any of them

    def remember(self, resolved: dict[str, ResolvedTags]) -> None:
        if len(self.checked) + len(resolved) > _MAX_CHECKED:
            self.checked.clear()
        self.checked.update(resolved)


@dataclass(frozen=True)
class NamesCheck:
    """The server's lookup of the names a query was compiled from, to send with its statement."""

    statement: Statement
    normalized: dict[str, str]
    assumed: dict[str, ResolvedTags]
    known: dict[str, ResolvedTags]  # every name the query was compiled from
    state: _Names

    def corrected(self, found: Sequence[Any]) -> dict[str, ResolvedTags] | None:
        """None if the lookup's rows (`found`) answer what was assumed; otherwise the names to
        compile the query from again. Either way the answers are remembered."""
        fresh = tag_resolve.resolved_names(found, self.normalized)
        self.state.remember(fresh)
        if all(fresh[n].ids == self.assumed[n].ids for n in self.normalized):
            return None
        return {**self.known, **fresh}


async def assumed_compile(
    session: AsyncSession, query: object, *, defer_counts: bool = False
) -> tuple[CompiledQuery, NamesCheck | None] | None:
    """The query compiled from what the world's read sessions assume of its tag names (names
    assumed of nothing are looked up first), and the check to send with its statement (None:
    nothing was assumed); None where this does not apply (see the module docstring).
    `defer_counts`: see `compiled_query.compile_search`."""
    cache = checked_cache(session)
    if cache is None or not isinstance(query, str) or dialect_name(session) != POSTGRESQL:
        return None
    state: _Names = cache.setdefault(_KEY, _Names())
    now = time.monotonic()
    names = tag_names(parse_query(query))
    assumed = {n: guess for n in names if (guess := state.assumed(n, now)) is not None}
    looked_up = await _look_up(session, state, [n for n in names if n not in assumed], now)
    known = {**assumed, **looked_up}
    compiled = await compile_search(session, query, known, defer_counts=defer_counts)
    lookup = tag_resolve.names_statement(session, assumed)
    if lookup is None:
        return compiled, None
    sql, params, normalized = lookup
    return compiled, NamesCheck((sql, params), normalized, assumed, known, state)


async def remembered_rows(
    session: AsyncSession, query: object, build: Build, *, defer_counts: bool = False
) -> list[Any] | None:
    """The rows of `build(compiled query)`, its tag names resolved in the same round trip; None
    where this does not apply (see the module docstring). With `defer_counts` the query reaches
    `build` with its text terms uncounted (`compiled_query.counted_for`)."""
    prepared = await assumed_compile(session, query, defer_counts=defer_counts)
    if prepared is None:
        return None
    compiled, check = prepared
    if check is None:
        return await _rows(session, await build(compiled))
    found, rows = await _pipelined(session, [check.statement, await build(compiled)])
    corrected = check.corrected(found)
    if corrected is None:
        return rows
    compiled = await compile_search(session, str(query), corrected, defer_counts=defer_counts)
    return await _rows(session, await build(compiled))


async def _look_up(
    session: AsyncSession, state: _Names, names: list[str], now: float
) -> dict[str, ResolvedTags]:
    """The names' answers from the server; the world's tag dictionary read in the same round trip
    when it has none yet (or an old one)."""
    lookup = tag_resolve.names_statement(session, names)
    if lookup is None:
        return {}
    sql, params, normalized = lookup
    if not state.wants_dictionary(now):
        looked_up = tag_resolve.resolved_names(await _rows(session, (sql, params)), normalized)
    else:
        found, *dictionary = await _pipelined(
            session, [(sql, params), *((s, {}) for s in dictionary_statements())]
        )
        looked_up = tag_resolve.resolved_names(found, normalized)
        state.install(TagDictionary.from_rows(*dictionary), now)
    state.remember(looked_up)
    return looked_up


async def _rows(session: AsyncSession, statement: Statement) -> list[Any]:
    sql, params = statement
    return list((await session.execute(text(sql), params)).all())


async def _pipelined(session: AsyncSession, statements: Sequence[Statement]) -> list[list[Any]]:
    """Each statement's rows, sent to the server together on the session's connection."""
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    dialect = connection.dialect
    return await fetch_pipelined(
        driver, [(str(text(sql).compile(dialect=dialect)), params) for sql, params in statements]
    )
