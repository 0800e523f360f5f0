"""The first steps of opening a library in the window, started before Qt has finished loading.

`begin_opening` takes the library's lock (so a second process stops here, with a message) and
starts the start-up read (`services.library_snapshot`) on its own thread. SQLite runs without the
GIL, so the read overlaps the GUI thread importing Qt and building the window; the window then
paints its first grid from it while the world opens behind it. Nothing here imports Qt or
SQLAlchemy.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dam_desktop.core.errors import DamError, LibraryError
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.library_location import database_name, is_server_url
from dam_desktop.core.library_lock import LibraryLock
from dam_desktop.utils.background import in_thread

if TYPE_CHECKING:
    from dam_desktop.services.browse.library_snapshot import LibrarySnapshot
    from dam_desktop.services.search.sorting import SortKey


@dataclass(frozen=True)
class LibraryOpening:
    paths: LibraryPaths
    lock: LibraryLock | None  # held; None when it could not be taken (`error` says why)
    error: DamError | None
    snapshot: Future[LibrarySnapshot | None]  # None: nothing to show before the world is open
    # What to open: the folder, or a shared library's URL (no lock, no start-up read: the server
    # answers the world's first listing).
    target: Path | str | None = None
    store_root: Path | None = None  # where this computer mounts a shared library's store


def begin_opening(
    library_path: Path | str,
    sort: SortKey,
    descending: bool,
    store_root: Path | None = None,
    first_screen: int | None = None,
) -> LibraryOpening:
    """Lock the library and start reading its first grid in `sort` order, with the tile facts of
    its first `first_screen` assets (None: the start-up read's default)."""
    if isinstance(library_path, str) and is_server_url(library_path):
        named = LibraryPaths(Path(database_name(library_path)))
        return LibraryOpening(named, None, None, _nothing(), library_path, store_root)
    paths = LibraryPaths(Path(library_path).expanduser().resolve())
    lock = LibraryLock(paths.lock_path)
    try:
        paths.root.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except DamError as exc:
        return LibraryOpening(paths, None, exc, _nothing())
    except OSError as exc:
        error = LibraryError(f"cannot use {paths.root} as a library: {exc.strerror or exc}")
        return LibraryOpening(paths, None, error, _nothing())
    snapshot = in_thread("dam-first-grid", _read, paths, sort, descending, first_screen)
    return LibraryOpening(paths, lock, None, snapshot, paths.root)


def _nothing() -> Future[LibrarySnapshot | None]:
    done: Future[LibrarySnapshot | None] = Future()
    done.set_result(None)
    return done


def _read(
    paths: LibraryPaths, sort: SortKey, descending: bool, first_screen: int | None
) -> LibrarySnapshot | None:
    # Imported here, not at the top: numpy's import then also runs beside Qt's.
    from dam_desktop.services.browse.library_snapshot import FIRST_SCREEN, read_snapshot

    return read_snapshot(paths, sort, descending, FIRST_SCREEN if first_screen is None else first_screen)
