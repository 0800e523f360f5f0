"""The search API the grid, the sidebar and the CLI call (on the world thread, never the GUI's).

    ids = await search(session, "cat -dog width:>1000", offset=0, limit=200, sort=SortKey.ADDED)
    n = await count(session, "cat -dog width:>1000")
    counts = await tag_counts_for_query(session, "cat", limit=50)

Results are entity ids of assets (entities with a FilePropertiesComponent that are not in the
trash). A query is text in the tag query language or an already parsed tree; errors raise
`QueryError` (a `DamError`) with `.message` and `.position` for showing inline.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.sql_dialect import POSTGRESQL, dialect_name, json_ids, or_ignore, portable_sql
from dam_desktop.services.search import text_match_postgres
from dam_desktop.services.search.compiled_query import CompiledQuery as CompiledQuery
from dam_desktop.services.search.compiled_query import Query as Query
from dam_desktop.services.search.compiled_query import compile_search as compile_search
from dam_desktop.services.search.compiled_query import counted_for
from dam_desktop.services.search.compiled_query import library_stats as library_stats
from dam_desktop.services.search.compiled_query import page_params as page_params
from dam_desktop.services.search.compiled_query import parse_query as parse_query
from dam_desktop.services.search.compiled_query import syntax_error as syntax_error
from dam_desktop.services.search.paging import PagedQuery, page_columns
from dam_desktop.services.search.remembered_tags import (
    NamesCheck,
    Statement,
    assumed_compile,
    remembered_rows,
)
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.search.tag_query.ast import MatchAll
from dam_desktop.services.search.tag_query.errors import QueryError
from dam_desktop.services.search.tag_query.parser import parse
from dam_desktop.services.search.tag_query.planner import (
    Plan,
    plan_count,
    plan_ids,
    plan_select,
)
from dam_desktop.services.search.tag_query.predicates import with_estimates
from dam_desktop.services.search.tag_query.text_terms import (
    estimate_from,
    estimate_statement,
    uncounted_terms,
)
from dam_desktop.services.search.tag_query.walks import Stats
from dam_desktop.services.tags import tag_service
from dam_desktop.services.tags.tag_service import CONCEPT, LINK, TagInfo


async def query_error(session: AsyncSession, query: str) -> QueryError | None:
    """Syntax and term errors (`width:>abc`) in `query`, or None."""
    try:
        await compile_search(session, query)
    except QueryError as exc:
        return exc
    return None


async def _compiled(
    session: AsyncSession, query: Query | CompiledQuery, *, defer_counts: bool = False
) -> CompiledQuery:
    if isinstance(query, CompiledQuery):
        return query
    return await compile_search(session, query, defer_counts=defer_counts)


async def plan(
    session: AsyncSession,
    query: Query | CompiledQuery,
    offset: int = 0,
    limit: int | None = 100,
    sort: SortKey = SortKey.ADDED,
    descending: bool | None = None,
) -> tuple[Plan, dict[str, Any]]:
    """The SQL `search` would run and its parameters (for tests, the benchmark and debugging).
    Text terms are counted only where the plan needs them (`compiled_query.counted_for`)."""
    compiled = await counted_for(session, await _compiled(session, query, defer_counts=True), sort, limit)
    desc = sort.default_descending if descending is None else descending
    chosen = plan_select(compiled.pred, await library_stats(session), sort, desc, limit, offset)
    return chosen, page_params(compiled, offset, limit)


async def search(
    session: AsyncSession,
    query: Query | CompiledQuery,
    offset: int = 0,
    limit: int | None = 100,
    sort: SortKey = SortKey.ADDED,
    descending: bool | None = None,
) -> list[int]:
    """One page of matching asset ids in `sort` order (`limit=None`: all of them).

    `descending=None` uses the key's natural direction (newest / largest first, names A to Z).
    """

    async def page(compiled: CompiledQuery) -> tuple[str, dict[str, Any]]:
        chosen, params = await plan(session, compiled, offset, limit, sort, descending)
        return for_dialect(dialect_name(session), chosen.sql, params)

    rows = await remembered_rows(session, query, page, defer_counts=True)
    if rows is None:
        chosen, params = await plan(session, query, offset, limit, sort, descending)
        rows = list((await session.execute(*executable(session, chosen.sql, params))).all())
    return [int(r[0]) for r in rows]


async def paged_query(
    session: AsyncSession,
    query: Query | CompiledQuery,
    sort: SortKey = SortKey.ADDED,
    descending: bool | None = None,
    *,
    first: int = 1_000,
    page: int = 20_000,
) -> PagedQuery:
    """The query's pages (`first` rows, then about `page` at a time, each plan chosen for that
    size) and its count, to run on any connection (see `paging`)."""
    compiled = await _compiled(session, query)
    return _paged(compiled, await library_stats(session), sort, descending, first, page)


@dataclass(frozen=True)
class FirstPage:
    """A result's first page, planned before the query's text terms are counted where that page's
    plan needs no count (`planner.needs_counts`: a `name:` word's newest first on a big shared
    library), and the statements that count them. Both go to the server together; the counts'
    answers plan the rest of the result (`paged`)."""

    sql: str
    params: dict[str, Any]
    counting: dict[str, Statement]  # each uncounted term's placeholder -> its count, as sent
    compiled: CompiledQuery
    stats: Stats
    sort: SortKey
    descending: bool | None
    first: int
    page: int

    def paged(self, counted: Sequence[Sequence[Sequence[Any]]]) -> PagedQuery:
        """The result's pages and count, planned from the rows of `counting`'s statements."""
        counts = {param: estimate_from(rows) for param, rows in zip(self.counting, counted, strict=True)}
        compiled = CompiledQuery(with_estimates(self.compiled.pred, counts), self.compiled.params)
        # The first page is the one that was read, whatever it would be now.
        return _paged(compiled, self.stats, self.sort, self.descending, self.first, self.page, self.sql)


async def assumed_first_page(
    session: AsyncSession,
    query: Query,
    sort: SortKey = SortKey.ADDED,
    descending: bool | None = None,
    *,
    first: int = 1_000,
    page: int = 20_000,
) -> tuple[FirstPage, NamesCheck | None] | None:
    """The query's first page planned from what the world's read sessions assume of its tag names
    (`remembered_tags`) and, where it can, before its text terms are counted; and the names' check
    to send with it. None where that does not apply (then call `paged_query`). If the check's rows
    answer otherwise (`NamesCheck.corrected`), the query must be planned again."""
    prepared = await assumed_compile(session, query, defer_counts=True)
    if prepared is None:
        return None
    compiled = await counted_for(session, prepared[0], sort, first)
    stats = await library_stats(session)
    desc = sort.default_descending if descending is None else descending
    columns = page_columns(sort, desc)
    dialect = dialect_name(session)
    start = FirstPage(
        plan_select(compiled.pred, stats, sort, desc, first, 0, columns=columns).sql,
        page_params(compiled, 0, first),
        {
            p: estimate_statement(dialect, e)
            for p, e in uncounted_terms(compiled.pred, compiled.params).items()
        },
        compiled,
        stats,
        sort,
        descending,
        first,
        page,
    )
    return start, prepared[1]


def _paged(
    compiled: CompiledQuery,
    stats: Stats,
    sort: SortKey,
    descending: bool | None,
    first: int,
    page: int,
    first_sql: str | None = None,
) -> PagedQuery:
    """`first_sql`: the first page planned already (`FirstPage`)."""
    desc = sort.default_descending if descending is None else descending
    columns = page_columns(sort, desc)
    return PagedQuery(
        first_sql=first_sql or plan_select(compiled.pred, stats, sort, desc, first, 0, columns=columns).sql,
        next_sql=plan_select(compiled.pred, stats, sort, desc, page, 0, columns=columns, after=True).sql,
        rest_sql=plan_select(compiled.pred, stats, sort, desc, None, 0, after=True).sql,
        count_sql=plan_count(compiled.pred, stats).sql,
        params=compiled.params,
        sort=sort,
        estimate=round(stats.total * stats.live * stats.fraction(compiled.pred)),
    )


async def count(session: AsyncSession, query: Query | CompiledQuery) -> int:
    async def counting(compiled: CompiledQuery) -> tuple[str, dict[str, Any]]:
        chosen = plan_count(compiled.pred, await library_stats(session))
        return for_dialect(dialect_name(session), chosen.sql, compiled.params)

    rows = await remembered_rows(session, query, counting)
    if rows is not None:
        return int(rows[0][0] or 0) if rows else 0
    compiled = await _compiled(session, query)
    chosen = plan_count(compiled.pred, await library_stats(session))
    return int((await session.scalar(*executable(session, chosen.sql, compiled.params))) or 0)


def executable(session: AsyncSession, sql: str, params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """A planned statement and its parameters, as the session's backend takes them."""
    sql, params = for_dialect(dialect_name(session), sql, params)
    return text(sql), params


def for_dialect(dialect: str, sql: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A planned statement (SQLite's spelling) and its parameters for `dialect`."""
    sql, params = portable_sql(dialect, sql, params)
    if dialect == POSTGRESQL:
        sql, params = text_match_postgres.translate(sql, params)
    return sql, params


@dataclass(frozen=True)
class TagCount:
    tag_id: int
    name: str
    count: int
    # False when only the newest `sample` results were counted (the count is among those).
    exact: bool = True


SIDEBAR_SAMPLE = 2000


async def tag_counts_for_query(
    session: AsyncSession,
    query: Query | CompiledQuery,
    limit: int = 50,
    *,
    sample: int | None = SIDEBAR_SAMPLE,
) -> list[TagCount]:
    """The `limit` most frequent tags among the query's results, with how many results carry each.

    For a query matching everything (the empty one) the counts are the tags' use counts, kept by
    triggers and read, not counted: they count every non-trashed entity carrying the tag.
    Otherwise at most `sample` results are counted, the newest first, so the sidebar stays fast on
    huge results; then `exact` is False on every entry. `sample=None` counts every result.
    """
    compiled = await _compiled(session, query)
    if compiled.matches_all:
        tags = await tag_service.list_tags(session, order="count", limit=limit)
        return [TagCount(t.id, t.name, t.use_count) for t in tags if t.use_count > 0]
    params: dict[str, Any] = {"tag_limit": int(limit)}
    exact = True
    if sample is None:
        source = plan_ids(compiled.pred, await library_stats(session)).sql
        params.update(compiled.params)
    else:
        found = await search(session, compiled, 0, sample + 1, SortKey.ADDED, True)
        exact = len(found) <= sample
        source = f"SELECT value AS id FROM {json_ids(session, 'sample_ids')} j"
        params["sample_ids"] = json.dumps(found[:sample])
    rows = (
        await session.execute(
            *executable(
                session,
                "SELECT l.tag_concept_entity_id, c.tag_name, count(*) AS n"
                f" FROM ({source}) r"
                f" CROSS JOIN {LINK} l CROSS JOIN {CONCEPT} c"
                " WHERE l.entity_id = r.id AND c.entity_id = l.tag_concept_entity_id"
                " GROUP BY l.tag_concept_entity_id, c.tag_name ORDER BY n DESC, c.tag_name LIMIT :tag_limit",
                params,
            )
        )
    ).all()
    return [TagCount(int(r[0]), str(r[1]), int(r[2]), exact) for r in rows]


async def add_tags_to_query(session: AsyncSession, query: Query | CompiledQuery, tag_names: list[str]) -> int:
    """Tag every result of the query (one INSERT ... SELECT per tag); returns the links created."""
    compiled = await _compiled(session, query)
    tag_ids = sorted(set((await tag_service.get_or_create_tag_concepts(session, tag_names)).values()))
    ids = plan_ids(compiled.pred, await library_stats(session))
    total = 0
    for tag_id in tag_ids:
        result = await session.execute(
            *executable(
                session,
                or_ignore(
                    session,
                    f"INSERT OR IGNORE INTO {LINK} (entity_id, tag_concept_entity_id)"
                    f" SELECT q.id, :tag FROM ({ids.sql}) q",
                ),
                {**compiled.params, "tag": tag_id},
            )
        )
        total += int(getattr(result, "rowcount", 0) or 0)
    return total


async def remove_tags_from_query(
    session: AsyncSession, query: Query | CompiledQuery, tag_names: list[str]
) -> int:
    """Remove the tags from every result of the query; returns the links removed."""
    compiled = await _compiled(session, query)
    tag_ids: set[int] = set()
    for name in tag_names:
        found = await tag_service.find_tag(session, name)
        if found is not None:
            tag_ids.add(found)
    ids = plan_ids(compiled.pred, await library_stats(session))
    total = 0
    for tag_id in sorted(tag_ids):
        result = await session.execute(
            *executable(
                session,
                f"DELETE FROM {LINK} WHERE tag_concept_entity_id = :tag AND entity_id IN ({ids.sql})",
                {**compiled.params, "tag": tag_id},
            )
        )
        total += int(getattr(result, "rowcount", 0) or 0)
    return total


# --- saved searches -------------------------------------------------------------------------------

SAVED = "component_saved_search"


@dataclass(frozen=True)
class SavedSearch:
    id: int  # the saved search's entity id
    name: str
    query: str


class SavedSearchError(QueryError):
    pass


async def save_search(session: AsyncSession, name: str, query: str) -> SavedSearch:
    """Keep `query` under `name` in the library (replacing the query of a search of that name).

    The query must parse; its tags need not exist yet.
    """
    clean = " ".join(name.split())
    if not clean:
        raise SavedSearchError("a saved search needs a name", 0)
    parse(query)
    existing = await session.scalar(text(f"SELECT entity_id FROM {SAVED} WHERE name = :n"), {"n": clean})
    if existing is not None:
        await session.execute(
            text(f"UPDATE {SAVED} SET query = :q WHERE entity_id = :e"), {"q": query, "e": existing}
        )
        return SavedSearch(int(existing), clean, query)
    entity_id = int(
        (
            await session.execute(
                text("INSERT INTO entities (created_at) VALUES (CURRENT_TIMESTAMP) RETURNING id")
            )
        ).scalar_one()
    )
    await session.execute(
        text(f"INSERT INTO {SAVED} (entity_id, name, query) VALUES (:e, :n, :q)"),
        {"e": entity_id, "n": clean, "q": query},
    )
    return SavedSearch(entity_id, clean, query)


async def list_saved_searches(session: AsyncSession) -> list[SavedSearch]:
    rows = (
        await session.execute(text(f"SELECT entity_id, name, query FROM {SAVED} ORDER BY lower(name), name"))
    ).all()
    return [SavedSearch(int(r[0]), str(r[1]), str(r[2])) for r in rows]


async def delete_saved_search(session: AsyncSession, name: str) -> bool:
    entity_id = await session.scalar(text(f"SELECT entity_id FROM {SAVED} WHERE name = :n"), {"n": name})
    if entity_id is None:
        return False
    await session.execute(text("DELETE FROM entities WHERE id = :e"), {"e": entity_id})
    return True


async def rename_saved_search(session: AsyncSession, old: str, new: str) -> None:
    clean = " ".join(new.split())
    if not clean:
        raise SavedSearchError("a saved search needs a name", 0)
    taken = await session.scalar(text(f"SELECT entity_id FROM {SAVED} WHERE name = :n"), {"n": clean})
    if taken is not None and clean != old:
        raise SavedSearchError(f"there is already a saved search named '{clean}'", 0)
    await session.execute(
        text(f"UPDATE {SAVED} SET name = :new WHERE name = :old"), {"new": clean, "old": old}
    )


__all__ = [
    "CompiledQuery",
    "FirstPage",
    "MatchAll",
    "Query",
    "QueryError",
    "SavedSearch",
    "SortKey",
    "TagCount",
    "TagInfo",
    "add_tags_to_query",
    "assumed_first_page",
    "compile_search",
    "count",
    "delete_saved_search",
    "library_stats",
    "list_saved_searches",
    "page_params",
    "paged_query",
    "plan",
    "query_error",
    "remove_tags_from_query",
    "rename_saved_search",
    "save_search",
    "search",
    "syntax_error",
    "tag_counts_for_query",
]
