"""A whole search result as SQL or as ids: the query's matches but the ids a selection left out.

"Select all" over 655k matches hands an edit the query, not 655k ids; the edit runs this SQL inside
its own statement (tagging) or reads the ids once, as 8 bytes each, on the world's side (marks,
the trash), never on the window's.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dam_desktop.core.sql_dialect import json_ids
from dam_desktop.services.search import search_service
from dam_desktop.services.search.tag_query.planner import plan_ids

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


async def matches_sql(
    session: AsyncSession, query: str, excluded: Sequence[int]
) -> tuple[str, dict[str, Any]]:
    """SQL of the result's ids (column `id`) but the excluded ones, with its parameters; raises
    QueryError for a bad query."""
    compiled = await search_service.compile_search(session, query)
    ids = plan_ids(compiled.pred, await search_service.library_stats(session))
    sql = f"SELECT q.id FROM ({ids.sql}) q"
    params = dict(compiled.params)
    if excluded:
        sql += f" WHERE q.id NOT IN (SELECT value FROM {json_ids(session, 'excluded')} x)"
        params["excluded"] = json.dumps(sorted({int(i) for i in excluded}))
    return sql, params


async def matching_ids(session: AsyncSession, query: str, excluded: Sequence[int] = ()) -> array[int]:
    """The result's ids but the excluded ones, ascending."""
    sql, params = await matches_sql(session, query, excluded)
    rows = await session.execute(*search_service.executable(session, sql, params))
    return array("q", sorted(int(row[0]) for row in rows))
