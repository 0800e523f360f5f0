"""Reads that need no world: plain sqlite3 on the library's file, for commands that only read.

Opening the world loads SQLAlchemy's asyncio layer, the models and the systems (most of a second
before the first row); `dam-desktop list` needs one SELECT. These run only on a library whose
schema is current (an older one is upgraded by the world, so the caller falls back to it), with a
read-only connection that takes no lock, like the world's readers. Nothing here imports
SQLAlchemy or numpy; a test checks what `list` loads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

from dam_desktop.core.errors import LibraryError
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.read_pool import connect_read_only
from dam_desktop.core.schema_version import is_up_to_date
from dam_desktop.services.browse.browse_sql import asset_rows_sql
from dam_desktop.services.search.sorting import SortKey

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
