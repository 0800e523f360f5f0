"""Opening a shared library: a PostgreSQL database plus a store folder every workstation mounts.

The database records where the store is (`library_setting.store_root`), as the workstation that
created the library saw it. A workstation that mounts it elsewhere says where (`store_root=`, from
the window's per-workstation mapping or `--store`); the recorded path is never rewritten by one.

The store is written by many processes at once, so each process keeps its half-written files and
its publishing journal under its own name (`LibraryPaths.client`), and nothing on open empties a
folder another workstation may be writing into.
"""

from __future__ import annotations

import itertools
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from dam_desktop.core.errors import LibraryError
from dam_desktop.core.library import LibraryPaths, check_library_layout
from dam_desktop.core.library_location import database_name, display_url
from dam_desktop.core.server_database import (
    CONNECT_TIMEOUT_S,
    unreachable_message,
    upgrade_server_library,
)

STORE_ROOT_KEY = "store_root"
# Set by `library copy` while it fills the database; a workstation never opens half a library.
COPY_INCOMPLETE_KEY = "copy_incomplete"


@dataclass(frozen=True)
class SharedLibrary:
    url: str
    paths: LibraryPaths  # the store, as this workstation sees it

    @property
    def name(self) -> str:
        return database_name(self.url)


_opened = itertools.count()


def client_name() -> str:
    """`<host>-<pid>`, and `-w<n>` for the second and later library opened by one process."""
    n = next(_opened)
    return f"{socket.gethostname()}-{os.getpid()}" + (f"-w{n}" if n else "")


def prepare_shared_library(url: str, store_root: Path | None) -> SharedLibrary:
    """Create or upgrade the schema, agree on the store folder and create its layout (blocking).

    Raises LibraryError when the server cannot be reached, the schema cannot be upgraded, or no
    store folder is known: a new shared library needs one."""
    upgrade_server_library(url)
    unfinished = recorded_setting(url, COPY_INCOMPLETE_KEY)
    if unfinished is not None:
        raise LibraryError(
            f"the shared library {display_url(url)} is an unfinished copy ({unfinished}): "
            "copy into it again with `dam-desktop library copy`, or drop the database"
        )
    recorded = recorded_store_root(url)
    if recorded is None:
        if store_root is None:
            raise LibraryError(
                f"the shared library {display_url(url)} has no store folder yet: name the folder every "
                "workstation mounts for its files (--store PATH)"
            )
        record_store_root(url, store_root.expanduser().resolve())
    chosen = (store_root or Path(recorded or "")).expanduser().resolve()
    paths = LibraryPaths(chosen, client=client_name())
    check_library_layout(paths)
    try:
        for folder in (paths.root, paths.files_dir, paths.thumbnails_dir, paths.trash_dir, paths.tmp_dir):
            folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(
            f"cannot use {paths.root} as the shared library's store: {exc.strerror or exc}. "
            "Is the shared folder mounted on this workstation?"
        ) from exc
    return SharedLibrary(url, paths)


def recorded_store_root(url: str) -> str | None:
    return recorded_setting(url, STORE_ROOT_KEY)


def recorded_setting(url: str, key: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(_libpq(url), connect_timeout=CONNECT_TIMEOUT_S) as connection:
            row = connection.execute("SELECT value FROM library_setting WHERE key = %s", (key,)).fetchone()
    except psycopg.Error as exc:
        raise LibraryError(unreachable_message(url, exc)) from exc
    return str(row[0]) if row else None


def record_store_root(url: str, root: Path) -> None:
    import psycopg

    try:
        with psycopg.connect(_libpq(url), connect_timeout=CONNECT_TIMEOUT_S) as connection:
            connection.execute(
                "INSERT INTO library_setting (key, value) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                (STORE_ROOT_KEY, str(root)),
            )
    except psycopg.Error as exc:
        raise LibraryError(unreachable_message(url, exc)) from exc


def _libpq(url: str) -> str:
    return "postgresql://" + url.strip().split("://", 1)[1]
