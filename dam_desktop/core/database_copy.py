"""Whole-database copies through SQLite's online backup API, written so a crash never leaves half a
copy under its final name.

The backup API copies pages under one read transaction, so the copy is the database as of one
moment even while the window or an import keeps writing (in WAL mode readers never block writers);
copying the file with `shutil` could catch a write half-way and would miss what is still in the
`-wal` file.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

PARTIAL_SUFFIX = ".partial"


def copy_database(source: Path, destination: Path) -> None:
    """Copy the database at `source` to `destination` (replaced if present), as of one moment.

    Written as `<destination>.partial`, synced, then renamed: a kill at any point leaves either
    the old destination or the whole new copy, plus at most a `.partial` file to remove."""
    partial = destination.with_name(destination.name + PARTIAL_SUFFIX)
    remove_database_file(partial)
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
        closing(sqlite3.connect(partial)) as dst,
    ):
        # One step (pages=-1): a stepwise copy restarts whenever another process writes, so on a
        # busy library it might never finish.
        src.backup(dst)
        # A copy of a WAL database is a WAL database; fold its pages into the main file so that the
        # single file renamed below is the whole copy.
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    remove_sidecars(partial)
    fsync_file(partial)
    partial.replace(destination)
    fsync_directory(destination.parent)


def remove_database_file(path: Path) -> None:
    """Remove a database file and its `-wal` / `-shm` companions."""
    path.unlink(missing_ok=True)
    remove_sidecars(path)


def remove_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_directory(folder: Path) -> None:
    """Make a rename in `folder` durable (a no-op where directories cannot be opened, as on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
