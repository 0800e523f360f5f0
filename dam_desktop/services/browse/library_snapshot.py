"""The start-up read: what the window's first grid shows, read with plain sqlite3.

Opening the world means loading SQLAlchemy (most of a second) before the first query. The window
does not wait for that: this read runs on its own thread while Qt loads, with the statements of
`browse_sql` (so it lists exactly what the world would), and the window paints from it. It only
reads, only from a database whose schema is current, and the caller holds the library's lock, so
nothing can change the data before the world takes over.

Ids are a stdlib `array` rather than numpy's: numpy's import (a tenth of a second) would sit on
the way to the first paint; the grid converts them when it first needs numpy.
"""

from __future__ import annotations

import sqlite3
from array import array
from contextlib import closing
from dataclasses import dataclass

from dam_desktop.core.errors import LibraryError
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.schema_version import is_up_to_date
from dam_desktop.services.browse.browse_sql import (
    COUNTS_SQL,
    LibraryCounts,
    TileInfo,
    counts_from_rows,
    id_parameters,
    ids_from_joined,
    joined_ids_sql,
    listing,
    tile_infos_from_rows,
    tile_locations_sql,
    tile_properties_sql,
)
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.utils.background import in_thread

# Tiles whose facts are read up front: more than a large screen holds at the smallest zoom.
FIRST_SCREEN = 1_000
# About 300k ids: below this, parsing with int() beats importing numpy to parse.
NUMPY_PARSE_FROM_CHARS = 2_000_000


@dataclass(frozen=True)
class LibrarySnapshot:
    ids: array[int]  # every asset, in the grid's order (typecode "q")
    infos: dict[int, TileInfo]  # tile facts for the first `FIRST_SCREEN` of them
    counts: LibraryCounts


def read_snapshot(
    paths: LibraryPaths, sort: SortKey, descending: bool, first_screen: int = FIRST_SCREEN
) -> LibrarySnapshot | None:
    """The library's assets in `sort` order with the first screen's tile facts and the counts.

    None when there is nothing trustworthy to read: no database yet, a schema that needs an
    upgrade, or any SQLite error (the world then creates, upgrades or reports it).
    """
    try:
        if not is_up_to_date(paths.db_path):
            return None
    except LibraryError:
        return None  # the world reports it, in words, when it opens
    try:
        with closing(sqlite3.connect(f"file:{paths.db_path}?mode=ro", uri=True)) as connection:
            return _read(connection, paths, sort, descending, first_screen)
    except sqlite3.Error:
        return None


def _read(
    connection: sqlite3.Connection, paths: LibraryPaths, sort: SortKey, descending: bool, first_screen: int
) -> LibrarySnapshot:
    # The status bar's counts on a second connection and thread: SQLite runs without the GIL, so
    # at 1M assets the 0.13 s count overlaps the id listing instead of following it.
    counting = in_thread("dam-first-counts", _read_counts, paths)

    def joined_ids(sql: str) -> str:
        return str(connection.execute(joined_ids_sql(sql)).fetchone()[0] or "")

    plan = listing(sort, descending)
    ids = parse_ids(joined_ids(plan.sql))
    if plan.minus_sql and (doomed := set(parse_ids(joined_ids(plan.minus_sql)))):
        ids = array("q", (eid for eid in ids if eid not in doomed))
    params, placeholders = id_parameters(ids[:first_screen])
    infos = (
        tile_infos_from_rows(
            paths,
            connection.execute(tile_properties_sql(placeholders), params),
            connection.execute(tile_locations_sql(placeholders), params).fetchall(),
        )
        if params
        else {}
    )
    return LibrarySnapshot(ids=ids, infos=infos, counts=counting.result())


def parse_ids(joined: str) -> array[int]:
    """Comma-joined ids as an array. Past a few hundred thousand ids numpy's parser (and its
    import, then paid once) is the faster way: 1M ids take 0.3 s with `int()` each, 0.04 s so."""
    if not joined:
        return array("q")
    if len(joined) < NUMPY_PARSE_FROM_CHARS:
        return array("q", map(int, joined.split(",")))
    return array("q", ids_from_joined(joined).tobytes())


def _read_counts(paths: LibraryPaths) -> LibraryCounts:
    with closing(sqlite3.connect(f"file:{paths.db_path}?mode=ro", uri=True)) as connection:
        return counts_from_rows(connection.execute(COUNTS_SQL))
