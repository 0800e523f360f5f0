"""A tag query compiled: text -> syntax tree -> predicate and parameters, ready for the planner.

`search_service` (the world) and `use_cases.quick_reads` (the command line on plain sqlite3) both
compile here; the session is either kind (`core.plain_session`). Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dam_desktop.core.plain_session import fetch_rows
from dam_desktop.core.sql_dialect import ALL_ROWS, POSTGRESQL, dialect_name
from dam_desktop.services.search.tag_query.ast import Node
from dam_desktop.services.search.tag_query.errors import QueryError
from dam_desktop.services.search.tag_query.parser import parse
from dam_desktop.services.search.tag_query.planner import Stats
from dam_desktop.services.search.tag_query.to_sql import Const, Pred, compile_query

if TYPE_CHECKING:
    from dam_desktop.core.plain_session import AnySession

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


async def compile_search(session: AnySession, query: Query) -> CompiledQuery:
    if isinstance(query, str) and "\x00" in query and dialect_name(session) == POSTGRESQL:
        raise QueryError("PostgreSQL text cannot hold the NUL character", query.index("\x00"))
    pred, params = await compile_query(session, parse_query(query))
    return CompiledQuery(pred, params)


async def library_stats(session: AnySession) -> Stats:
    """About how many assets and how many trashed entities: cheap, for the planner's estimates."""
    ((assets, trashed),) = await fetch_rows(
        session,
        "SELECT (SELECT max(id) FROM component_file_properties), (SELECT count(*) FROM component_trashed)",
    )
    return Stats(int(assets or 0), int(trashed or 0))


def page_params(compiled: CompiledQuery, offset: int, limit: int | None) -> dict[str, Any]:
    """The bind parameters of a page's SQL: the query's own, the limit and the offset."""
    return {**compiled.params, "limit": ALL_ROWS if limit is None else int(limit), "offset": int(offset)}
