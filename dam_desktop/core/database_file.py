"""Is the file under the library's database name one of ours? Checked before anything writes to it.

A zero-byte `dam.sqlite3` (a failed copy, a sync tool's placeholder) used to become a new, empty
library beside thousands of stored files, and any other SQLite file would have been "upgraded"
into one. Both are refused with a message instead; nothing is re-initialised.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from dam_desktop.core.errors import LibraryError

SQLITE_HEADER = b"SQLite format 3\x00"


def refuse_unusable_database(db_path: Path) -> None:
    """Raise LibraryError unless `db_path` is absent (a new library) or a dam-desktop database."""
    try:
        size = db_path.stat().st_size
    except FileNotFoundError:
        return
    except OSError as exc:
        raise LibraryError(f"cannot read the library database {db_path}: {exc.strerror or exc}") from exc
    if size == 0:
        raise LibraryError(
            f"the library database {db_path} is empty (0 bytes), so it is not opened and not "
            "re-initialised; bring back a backup with `dam-desktop restore --backup FOLDER`, or "
            "move the file away to start a new library in this folder"
        )
    try:
        with db_path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise LibraryError(f"cannot read the library database {db_path}: {exc.strerror or exc}") from exc
    if header != SQLITE_HEADER:
        raise LibraryError(
            f"{db_path} is not an SQLite database (the file may be damaged, or another program's); "
            "it is left untouched. Bring back a backup with `dam-desktop restore --backup FOLDER`, "
            "or move it away"
        )
    if not _is_ours(db_path):
        raise LibraryError(
            f"{db_path} is an SQLite database of another program (it has no dam-desktop schema "
            "version); it is left untouched. Move it away, or open another library"
        )


def _is_ours(db_path: Path) -> bool:
    try:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as connection:
            names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError:
        # Unreadable from the first page on: the damage checks and `repair` say more than "foreign".
        return True
    return "alembic_version" in names
