"""Back a library up to a folder, and bring a backup back; both safe while the library is in use.

A backup folder has a library's layout: `dam.sqlite3`, and with the store `files/` and `trash/`.
The database is copied first, through the online backup API (`database_copy`), as of one moment,
without the library's lock, so the window or an import can go on writing. The store is copied
after it: stored copies are content-addressed and written (renamed into place) before any row
names them, so every copy the snapshot names is already there when the store is walked. Copies
are hard links where the backup is on the same file system (instant, no space; safe because a
stored copy is never changed in place, only replaced by a rename), otherwise real copies.
Thumbnails are not backed up: they are made again from the files.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from dam_desktop.core.database_copy import copy_database, remove_database_file
from dam_desktop.core.database_file import refuse_unusable_database
from dam_desktop.core.database_health import quick_check
from dam_desktop.core.errors import LibraryError
from dam_desktop.core.library import DB_FILENAME, STORAGE_MANAGED, LibraryPaths
from dam_desktop.core.library_lock import LibraryLock

STORE_FOLDERS = ("files", "trash")
_CANNOT_LINK = frozenset({errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EACCES})

Progress = Callable[[str, int], None]  # (what, how many so far)


@dataclass(frozen=True)
class StoreCopy:
    linked: int = 0
    copied: int = 0
    already_there: int = 0


@dataclass(frozen=True)
class BackupReport:
    destination: Path
    database_bytes: int
    store: StoreCopy | None  # None: the store was not backed up
    missing_files: int  # managed copies the database names that are not in the backup's store
    seconds: float


@dataclass(frozen=True)
class RestoreReport:
    library: Path
    replaced: Path | None  # where the database that was replaced is kept
    store: StoreCopy | None


def backup_library(
    paths: LibraryPaths, destination: Path, *, with_store: bool, progress: Progress | None = None
) -> BackupReport:
    """Write a consistent copy of the library to the folder `destination` (created if needed)."""
    started = time.perf_counter()
    destination = destination.expanduser().resolve()
    if not paths.db_path.is_file():
        raise LibraryError(f"{paths.root} is not a dam-desktop library (no {DB_FILENAME})")
    if destination == paths.root or destination.is_relative_to(paths.root):
        raise LibraryError(f"cannot back up the library into itself ({destination}); choose another folder")
    try:
        destination.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(f"cannot create the backup folder {destination}: {exc.strerror or exc}") from exc
    copy = destination / DB_FILENAME
    copy_database(paths.db_path, copy)
    store = None
    missing = 0
    if with_store:
        store = copy_store(paths.root, destination, progress)
        missing = sum(1 for _ in _missing_managed_files(copy, destination))
    return BackupReport(destination, copy.stat().st_size, store, missing, time.perf_counter() - started)


def restore_library(backup: Path, paths: LibraryPaths, *, progress: Progress | None = None) -> RestoreReport:
    """Bring the backup at `backup` (a backup folder or a database file) back into `paths`.

    Refuses while the library is open anywhere (its lock), and a backup that is not a whole
    dam-desktop database. The database it replaces is kept as `dam.sqlite3.replaced-<time>`;
    stored files are only ever added, never removed or overwritten."""
    source = backup / DB_FILENAME if backup.is_dir() else backup
    if not source.is_file():
        raise LibraryError(f"{backup} holds no dam-desktop backup (no {DB_FILENAME})")
    refuse_unusable_database(source)
    check = quick_check(source, budget_s=float("inf"))
    if check.problems:
        raise LibraryError(f"the backup {source} is damaged ({check.problems[0]}); it was not restored")
    paths.root.mkdir(parents=True, exist_ok=True)
    lock = LibraryLock(paths.lock_path)
    lock.acquire()
    try:
        replaced = _keep_current_database(paths.db_path)
        copy_database(source, paths.db_path)
        store = copy_store(source.parent, paths.root, progress) if backup.is_dir() else None
    finally:
        lock.release()
    return RestoreReport(paths.root, replaced, store)


def _keep_current_database(db_path: Path) -> Path | None:
    if not db_path.exists():
        return None
    kept = db_path.with_name(f"{db_path.name}.replaced-{time.strftime('%Y%m%dT%H%M%S')}")
    try:
        copy_database(db_path, kept)
        # Folded into the file and gone: the rename that puts the backup in place must not find a
        # `-wal` of the old database beside it, which SQLite would replay onto the new one.
        with closing(sqlite3.connect(db_path)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        remove_database_file(db_path)
    except sqlite3.DatabaseError:
        # Unreadable (damaged, foreign, empty): kept exactly as it is, by renames.
        db_path.replace(kept)
        for suffix in ("-wal", "-shm"):
            sidecar = db_path.with_name(db_path.name + suffix)
            if sidecar.exists():
                sidecar.replace(kept.with_name(kept.name + suffix))
    return kept


def copy_store(
    source_root: Path,
    destination_root: Path,
    progress: Progress | None,
    folders: tuple[str, ...] = STORE_FOLDERS,
) -> StoreCopy:
    """Hard-link (or copy, across file systems) `folders` of one store into another."""
    linked = copied = already = 0
    can_link = True
    for source, relative in _store_files(source_root, folders):
        target = destination_root / relative
        if target.is_file() and target.stat().st_size == source.stat().st_size:
            already += 1  # content-addressed: the same name holds the same bytes
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        if can_link:
            try:
                os.link(source, partial)
                partial.replace(target)
                linked += 1
                continue
            except OSError as exc:
                if exc.errno not in _CANNOT_LINK:
                    raise
                can_link = False
        shutil.copyfile(source, partial)
        partial.replace(target)
        copied += 1
        if progress is not None and copied % 100 == 0:
            progress("files copied", copied)
    return StoreCopy(linked, copied, already)


def _store_files(root: Path, folders: tuple[str, ...]) -> Iterator[tuple[Path, Path]]:
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            continue
        for directory, _dirs, names in os.walk(base):
            for name in names:
                if name.endswith(".partial"):
                    continue
                path = Path(directory) / name
                yield path, path.relative_to(root)


def _missing_managed_files(db_copy: Path, root: Path) -> Iterator[str]:
    with closing(sqlite3.connect(f"file:{db_copy}?mode=ro", uri=True)) as connection:
        rows = connection.execute(
            "SELECT path FROM component_file_location WHERE storage_type = ?", (STORAGE_MANAGED,)
        )
        for (relative,) in rows:
            if not (root / relative).is_file() and not (root / "trash" / relative).is_file():
                yield relative
