"""Reads that need no world: plain sqlite3 on the library's file, for commands that only read.

Opening the world loads SQLAlchemy's asyncio layer, the models and the systems (most of a second
before the first row); `dam-desktop list` needs one SELECT, `search` a few (the tag query compiler
looks its tag names up through `core.plain_session`, then the planner's page). These run only on a
library whose schema is current (an older one is upgraded by the world, so the caller falls back to
it), with a read-only connection that takes no lock, like the world's readers. Nothing here imports
SQLAlchemy or numpy; a test checks what `list`, `search` and `show` load.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import dam_desktop.services.locations.missing_file_terms  # noqa: F401  (has:missing-file, as the world has)
from dam_desktop.core.errors import LibraryError
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.plain_session import PlainSession, run_plain
from dam_desktop.core.read_pool import connect_read_only
from dam_desktop.core.schema_version import is_up_to_date
from dam_desktop.services.browse.browse_sql import asset_rows_sql
from dam_desktop.services.component_catalogue import COMPONENTS
from dam_desktop.services.entity_values import EntityDump as EntityDump
from dam_desktop.services.entity_values import UnknownComponentTable, dump_entity_plain
from dam_desktop.services.search.compiled_query import (
    CompiledQuery,
    compile_search,
    library_stats,
    page_params,
)
from dam_desktop.services.search.compiled_query import syntax_error as query_syntax_error
from dam_desktop.services.search.sorting import SortKey as SortKey
from dam_desktop.services.search.tag_query.errors import QueryError as QueryError
from dam_desktop.services.search.tag_query.planner import Stats, plan_count, plan_select

BATCH = 5_000


def readable_library(path: Path) -> LibraryPaths | None:
    """The library at `path` when it can be read as it is; None when only the world can open it
    (no library there yet, a schema to upgrade, a database it cannot read)."""
    paths = LibraryPaths(path.expanduser().resolve())
    try:
        return paths if paths.is_library() and is_up_to_date(paths.db_path) else None
    except (LibraryError, OSError):
        return None


def asset_rows(
    paths: LibraryPaths,
    asset_type: str | None = None,
    *,
    trashed: bool = False,
    limit: int | None = None,
    sort: SortKey = SortKey.ADDED,
    descending: bool = False,
) -> Iterator[list[tuple[int, str, str]]]:
    """(entity id, type, original file name) of the assets outside the trash (or in it), in `sort`
    order (by id unless told), in batches; at most `limit`. Raises sqlite3.Error when the file
    cannot be read."""
    sql = asset_rows_sql(trashed=trashed, asset_type=asset_type is not None, sort=sort, descending=descending)
    params: dict[str, object] = {"limit": -1 if limit is None else limit, "asset_type": asset_type}
    with closing(connect_read_only(paths.db_path)) as connection:
        cursor = connection.execute(sql, params)
        while rows := cursor.fetchmany(BATCH):
            yield rows


__all__ = [
    "QueryError",
    "SortKey",
    "asset_rows",
    "count_matches",
    "describe_asset",
    "find_by_sha256",
    "query_syntax_error",
    "readable_library",
    "search_rows",
]

_NAMES_SQL = (
    "SELECT entity_id, asset_type, original_filename FROM component_file_properties"
    " WHERE entity_id IN (SELECT value FROM json_each(:ids))"
)


def _compiled(connection: sqlite3.Connection, query: str) -> tuple[CompiledQuery, Stats]:
    """The query compiled (its tag names looked up) and the planner's library figures."""

    async def compile_here(session: PlainSession) -> tuple[CompiledQuery, Stats]:
        return await compile_search(session, query), await library_stats(session)

    return run_plain(compile_here(PlainSession(connection)))


def search_rows(
    paths: LibraryPaths,
    query: str,
    *,
    offset: int = 0,
    limit: int | None = None,
    sort: SortKey = SortKey.ADDED,
    descending: bool | None = None,
) -> Iterator[list[tuple[int, str, str]]]:
    """(entity id, type, original file name) of the tag query's matches in `sort` order, in pages,
    as `use_cases.search.search_rows` gives them. Raises QueryError for a query that names a term
    wrongly, sqlite3.Error when the file cannot be read."""
    desc = sort.default_descending if descending is None else descending
    with closing(connect_read_only(paths.db_path)) as connection:
        compiled, stats = _compiled(connection, query)
        remaining = limit
        while remaining is None or remaining > 0:
            size = BATCH if remaining is None else min(BATCH, remaining)
            page = plan_select(compiled.pred, stats, sort, desc, size, offset)
            ids = [int(r[0]) for r in connection.execute(page.sql, page_params(compiled, offset, size))]
            if not ids:
                return
            facts = {r[0]: (r[1], r[2]) for r in connection.execute(_NAMES_SQL, {"ids": json.dumps(ids)})}
            yield [(i, *facts[i]) for i in ids if i in facts]
            offset += len(ids)
            remaining = None if remaining is None else remaining - len(ids)
            if len(ids) < size:
                return


def count_matches(paths: LibraryPaths, query: str) -> int:
    """How many assets match the tag query (QueryError, sqlite3.Error as `search_rows`)."""
    with closing(connect_read_only(paths.db_path)) as connection:
        compiled, stats = _compiled(connection, query)
        counted = plan_count(compiled.pred, stats)
        return int(connection.execute(counted.sql, compiled.params).fetchone()[0] or 0)


SHA256_HEX_DIGITS = 64


def parse_sha256(text: str) -> bytes:
    """The digest a hex string stands for; ValueError naming the fault otherwise."""
    cleaned = text.strip().lower()
    if len(cleaned) != SHA256_HEX_DIGITS:
        raise ValueError(f"a SHA-256 is {SHA256_HEX_DIGITS} hex digits, not {len(cleaned)}: {text!r}")
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        raise ValueError(f"not a hex SHA-256: {text!r}") from None


class NeedsTheWorld(Exception):
    """Only the world can answer this read (the database holds what this code cannot read alone)."""


def describe_asset(paths: LibraryPaths, entity_id: int) -> EntityDump | None:
    """`use_cases.assets.describe_asset` with plain sqlite3. Raises NeedsTheWorld where a component
    table is one the models alone describe, sqlite3.Error when the file cannot be read."""
    with closing(connect_read_only(paths.db_path)) as connection:
        try:
            return dump_entity_plain(connection, COMPONENTS, entity_id)
        except UnknownComponentTable as exc:
            raise NeedsTheWorld(str(exc)) from None


def find_by_sha256(paths: LibraryPaths, digest: bytes) -> list[int]:
    """The assets (in the library or its trash) whose content has this SHA-256."""
    with closing(connect_read_only(paths.db_path)) as connection:
        found = connection.execute(
            "SELECT entity_id FROM component_content_hash_sha256 WHERE hash_value = ? ORDER BY entity_id",
            (digest,),
        )
        return [int(r[0]) for r in found]
