"""Stored copies that no row references never outlive the next open.

An import renames a batch's copies into `files/` before it commits the rows that name them (so no
row ever points at a missing file). If the commit then fails (a full disk, a read-only database)
the import takes those copies back out at once; if the process dies in between, nothing can. So
before the renames, `begin` writes the batch's hashes to `<library>/.dam-publishing` (fsynced),
and `end` removes it after the commit. `sweep`, run where the library opens, finds a journal left
behind and deletes each listed copy that no location references. Its cost is one batch, not the
library: a full scan of `files/` at every open would cost seconds at 100k assets.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.errors import UnsafePathError
from dam_desktop.core.library import STORAGE_MANAGED, LibraryPaths
from dam_desktop.models.files import FileLocationComponent
from dam_desktop.services.store.stored_paths import managed_relative_path
from dam_desktop.utils.safe_paths import contained

JOURNAL_NAME = ".dam-publishing"
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def journal_path(paths: LibraryPaths) -> Path:
    return paths.root / (f"{JOURNAL_NAME}-{paths.client}" if paths.client else JOURNAL_NAME)


def begin(paths: LibraryPaths, sha256_hexes: Sequence[str]) -> None:
    """Record the copies about to be renamed into the store (durably, before any rename)."""
    tmp = paths.tmp_dir / f"{uuid.uuid4().hex}.journal"
    try:
        with tmp.open("x", encoding="utf-8") as handle:
            json.dump(sorted(set(sha256_hexes)), handle)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(journal_path(paths))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def end(paths: LibraryPaths) -> None:
    """The batch's rows are committed (or its copies taken back out): forget the journal."""
    journal_path(paths).unlink(missing_ok=True)


def _listed(paths: LibraryPaths) -> list[str]:
    try:
        with journal_path(paths).open(encoding="utf-8") as handle:
            listed = json.load(handle)
    except (OSError, ValueError):
        return []
    if not isinstance(listed, list):
        return []
    # A tampered journal names nothing but content-addressed copies.
    return [item for item in listed if isinstance(item, str) and _SHA256_HEX.match(item)]


async def sweep(session: AsyncSession, paths: LibraryPaths) -> int:
    """Delete the copies a left-behind journal lists that no location references; returns how many."""
    if not journal_path(paths).exists():
        return 0
    listed = {managed_relative_path(sha): sha for sha in _listed(paths)}
    referenced: set[str] = set()
    if listed:
        rows = await session.scalars(
            select(FileLocationComponent.path).where(
                FileLocationComponent.storage_type == STORAGE_MANAGED,
                FileLocationComponent.path.in_(list(listed)),
            )
        )
        referenced = set(rows.all())
    removed = 0
    for relative, sha in listed.items():
        if relative in referenced:
            continue
        try:
            copy = contained(paths.root, paths.stored_file_path(sha))
        except UnsafePathError:
            continue
        if copy.is_file():
            copy.unlink()
            removed += 1
    end(paths)
    return removed


async def sweep_dead_clients(session: AsyncSession, paths: LibraryPaths, host: str) -> int:
    """On a shared store: sweep the journals left by processes of this host (`<host>-<pid>[-w<n>]`)
    that are no longer running. Other workstations' journals are theirs to sweep."""
    removed = 0
    prefix = f"{JOURNAL_NAME}-{host}-"
    for journal in paths.root.glob(prefix + "*"):
        client = journal.name.removeprefix(f"{JOURNAL_NAME}-")
        pid = journal.name.removeprefix(prefix).split("-", 1)[0]
        if not pid.isdigit() or _running(int(pid)):
            continue
        removed += await sweep(session, LibraryPaths(paths.root, client=client))
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
