"""Copy a whole library between a folder (SQLite) and a server (PostgreSQL), either way.

Everything goes: assets, tags and their parents, aliases, proposals and rejections, marks,
locations, saved searches, embeddings and fingerprints (the vectors are rows), the pipeline's
markers, and the text index. The copy is verified before it counts: row counts and a checksum
of each table's ordered rows must match the source's (`services.library_copy`).

The store (the folder of stored copies and thumbnails) follows the database: into a new folder
library's own folder, or into the folder named as a shared library's store. Files are hard links
where both are on one file system (instant, no space: a stored copy is never changed in place),
copies otherwise. When the destination's store is the source's own folder, nothing is copied and
the two libraries share it. Referenced files (imported in place) stay where they are.

A copy that fails leaves nothing that looks like a library: a new folder is removed (its
database is written under a temporary name and renamed only once verified), and a server
database keeps its `copy_incomplete` mark, which stops workstations from opening it, until a
copy into it succeeds.
"""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Connection, Engine

from dam_desktop.core.database import create_sync_library_engine
from dam_desktop.core.database_copy import fsync_directory, fsync_file, remove_sidecars
from dam_desktop.core.errors import DamError, LibraryError
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.library_backup import StoreCopy, copy_store
from dam_desktop.core.library_location import display_url, is_server_url
from dam_desktop.core.migrations import upgrade_library
from dam_desktop.core.schema_version import is_up_to_date
from dam_desktop.core.server_database import (
    create_sync_server_engine,
    server_is_up_to_date,
    upgrade_server_library,
)
from dam_desktop.core.shared_library import recorded_store_root
from dam_desktop.services.library_copy.marks import clear_incomplete, managed_paths, mark_incomplete
from dam_desktop.services.library_copy.rows import TableDigest
from dam_desktop.services.library_copy.transfer import (
    copy_database,
    existing_rows,
    read_only_sqlite_engine,
)

Progress = Callable[[str, int, int | None], None]  # (phase, done, total or None when unknown)
STORE_FOLDERS = ("files", "trash", "thumbnails")
COPYING_SUFFIX = ".copying"


@dataclass(frozen=True)
class LibraryCopyReport:
    source: str
    destination: str
    tables: list[TableDigest]  # what was checked: each table's rows and checksum, equal on both sides
    store_root: Path  # the destination's store
    store: StoreCopy | None  # None: the store is shared with the source, nothing copied
    missing_files: int  # stored copies the library names that are in neither store
    seconds: float

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)


async def copy_library(
    source: Path | str,
    destination: Path | str,
    *,
    store: Path | None = None,
    progress: Progress | None = None,
) -> LibraryCopyReport:
    """Copy the library at `source` (a folder or a PostgreSQL URL) to `destination` (a new or empty
    folder, or an empty PostgreSQL database). `store`: a shared library's store folder as this
    computer mounts it (the destination's, or the source's when only the source is a server).
    Raises LibraryError with one line to show when the copy cannot be made or does not check out."""
    return await asyncio.to_thread(_copy, source, destination, store, progress or _quiet)


def _quiet(_phase: str, _done: int, _total: int | None) -> None:
    pass


def _label(target: Path | str) -> str:
    return display_url(target) if isinstance(target, str) else str(target)


def _copy(
    source: Path | str, destination: Path | str, store: Path | None, progress: Progress
) -> LibraryCopyReport:
    started = time.perf_counter()
    source = _as_target(source)
    destination = _as_target(destination)
    source_engine, source_store = _open_source(source, store if isinstance(destination, Path) else None)
    try:
        if isinstance(destination, str):
            tables, store_root, copied, missing = _copy_to_server(
                source_engine, source, source_store, destination, store, progress
            )
        else:
            tables, store_root, copied, missing = _copy_to_folder(
                source_engine, source_store, destination, progress
            )
    except DamError:
        raise
    except Exception as exc:
        detail = " ".join(str(getattr(exc, "orig", None) or exc).split()) or type(exc).__name__
        raise LibraryError(f"copying {_label(source)} to {_label(destination)} failed: {detail}") from exc
    finally:
        source_engine.dispose()
    return LibraryCopyReport(
        _label(source),
        _label(destination),
        tables,
        store_root,
        copied,
        missing,
        time.perf_counter() - started,
    )


def _as_target(target: Path | str) -> Path | str:
    if isinstance(target, str) and is_server_url(target):
        return target.strip()
    return Path(target).expanduser().resolve()


def _open_source(source: Path | str, store: Path | None) -> tuple[Engine, Path]:
    """The source's engine (reads only) and its store folder."""
    if isinstance(source, str):
        if not server_is_up_to_date(source):
            raise LibraryError(
                f"{display_url(source)} is not a current dam-desktop library: open it once with this "
                "version (or check the URL)"
            )
        root = store or (Path(recorded) if (recorded := recorded_store_root(source)) else None)
        if root is None:
            raise LibraryError(f"{display_url(source)} records no store folder: name it with --store PATH")
        return create_sync_server_engine(source), root.expanduser().resolve()
    paths = LibraryPaths(source)
    if not paths.is_library():
        raise LibraryError(f"{source} is not a dam-desktop library (no {paths.db_path.name})")
    if not is_up_to_date(paths.db_path):
        raise LibraryError(f"{source} has an older schema: open it once with this version, then copy it")
    return read_only_sqlite_engine(paths.db_path), paths.root


def _copy_to_folder(
    source: Engine, source_store: Path, destination: Path, progress: Progress
) -> tuple[list[TableDigest], Path, StoreCopy | None, int]:
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise LibraryError(f"{destination} is not an empty folder: copy into a new one")
    created = not destination.exists()
    paths = LibraryPaths(destination)
    building = paths.db_path.with_name(paths.db_path.name + COPYING_SUFFIX)
    try:
        destination.mkdir(parents=True, exist_ok=True)
        upgrade_library(building)
        engine = create_sync_library_engine(building)
        try:
            outcome = _copy_rows_and_store(source, engine, source_store, paths.root, progress, None)
        finally:
            engine.dispose()  # the last connection closing folds the journal (WAL) into the file
        if building.with_name(building.name + "-wal").exists():
            raise LibraryError(f"cannot finish {paths.db_path}: its journal was not folded in")
        remove_sidecars(building)
        fsync_file(building)
        for folder in (paths.files_dir, paths.thumbnails_dir, paths.trash_dir):
            folder.mkdir(exist_ok=True)
        building.replace(paths.db_path)  # the verified copy takes the library's name last
        fsync_directory(destination)
        return outcome
    except BaseException:
        if created:
            shutil.rmtree(destination, ignore_errors=True)
        else:
            for child in destination.iterdir():
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)
        raise


def _copy_to_server(
    source: Engine,
    source_label: Path | str,
    source_store: Path,
    destination: str,
    store: Path | None,
    progress: Progress,
) -> tuple[list[TableDigest], Path, StoreCopy | None, int]:
    upgrade_server_library(destination)
    recorded = recorded_store_root(destination)
    root = store or (Path(recorded) if recorded else None)
    if root is None:
        raise LibraryError(
            f"name the folder every workstation mounts as {display_url(destination)}'s store: "
            "--store PATH (it may be the source library's own folder, to share it)"
        )
    root = root.expanduser().resolve()
    engine = create_sync_server_engine(destination)
    try:
        with engine.connect() as connection:
            if existing_rows(connection):
                raise LibraryError(
                    f"{display_url(destination)} already holds a library: copy into an empty database "
                    "(createdb NAME); nothing was changed"
                )
    except BaseException:
        engine.dispose()
        raise
    try:
        note = f"copy from {_label(source_label)} started {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC"
        mark_incomplete(engine, note, root)
        return _copy_rows_and_store(source, engine, source_store, root, progress, clear_incomplete)
    except DamError as exc:
        raise LibraryError(f"{exc}; {display_url(destination)} is left marked as an unfinished copy") from exc
    except Exception as exc:
        detail = " ".join(str(getattr(exc, "orig", None) or exc).split()) or type(exc).__name__
        raise LibraryError(
            f"copying to {display_url(destination)} failed: {detail}; it is left marked as an unfinished "
            "copy (copy into it again, or drop the database)"
        ) from exc
    finally:
        engine.dispose()


def _copy_rows_and_store(
    source: Engine,
    destination: Engine,
    source_store: Path,
    destination_store: Path,
    progress: Progress,
    finish: Callable[[Connection], None] | None,
) -> tuple[list[TableDigest], Path, StoreCopy | None, int]:
    """The database copy; its last step, in its transaction, copies the store (so every stored
    copy the committed rows name is there) and clears the destination's mark."""
    outcome: dict[str, object] = {}

    def last_steps(connection: Connection) -> None:
        shared = destination_store == source_store
        copied = None
        if not shared:
            destination_store.mkdir(parents=True, exist_ok=True)
            progress("store", 0, None)
            copied = copy_store(
                source_store, destination_store, lambda _what, n: progress("store", n, None), STORE_FOLDERS
            )
        outcome["store"] = copied
        outcome["missing"] = sum(
            1
            for relative in managed_paths(connection)
            if not (destination_store / relative).is_file()
            and not (destination_store / "trash" / relative).is_file()
        )
        if finish is not None:
            finish(connection)

    tables = copy_database(source, destination, progress, last_steps)
    store = outcome["store"]
    missing = outcome["missing"]
    assert store is None or isinstance(store, StoreCopy)
    assert isinstance(missing, int)
    return tables, destination_store, store, missing
