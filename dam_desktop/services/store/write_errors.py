"""Telling "the library cannot be written" apart from a bad file.

A full disk or a read-only library is not one file's fault: every later file would fail the same
way, so the import stops at the first one (`library_write_error`) instead of reporting thousands
of failures, and says in one line what is wrong. The same condition reaches us as an `OSError`
from a write or an fsync, or as SQLite's SQLITE_FULL / SQLITE_READONLY through SQLAlchemy.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

from sqlalchemy.exc import OperationalError

from dam_desktop.core.errors import DiskFullError, LibraryWriteError

_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_READ_ONLY = {errno.EROFS}
# Below this much free space, an I/O error from SQLite is taken for a full disk.
NEARLY_FULL = 1024 * 1024
# SQLite's messages for SQLITE_FULL and SQLITE_READONLY.
_SQLITE_FULL = ("database or disk is full",)
_SQLITE_READ_ONLY = ("attempt to write a readonly database", "readonly database")


def is_library_write_errno(code: int | None) -> bool:
    return code in _FULL or code in _READ_ONLY


def library_write_error(exc: BaseException, where: Path) -> LibraryWriteError | None:
    """The typed error `exc` stands for when it means the library at `where` cannot be written."""
    if isinstance(exc, LibraryWriteError):
        return exc
    if isinstance(exc, OSError):
        if exc.errno in _FULL:
            return DiskFullError(f"the disk holding the library is full ({where}): {free_space_text(where)}")
        if exc.errno in _READ_ONLY:
            return LibraryWriteError(f"the library folder is on a read-only disk ({where})")
        if isinstance(exc, PermissionError):
            return LibraryWriteError(f"cannot write into the library folder ({where}): permission denied")
        return None
    if isinstance(exc, OperationalError):
        message = str(exc.orig).lower()
        if any(text in message for text in _SQLITE_FULL):
            return DiskFullError(
                f"the disk holding the library's database is full ({where}): {free_space_text(where)}"
            )
        if "disk i/o error" in message:
            # What SQLite reports when a full disk fails its WAL or shared-memory write.
            free = free_bytes(where)
            if free is not None and free < NEARLY_FULL:
                return DiskFullError(
                    f"the disk holding the library's database is full ({where}): {free_space_text(where)}"
                )
            return LibraryWriteError(f"the library's database could not be written ({where}): disk I/O error")
        if any(text in message for text in _SQLITE_READ_ONLY):
            return LibraryWriteError(
                f"the library's database cannot be written: it or its folder is read-only ({where})"
            )
    return None


def free_bytes(where: Path) -> int | None:
    try:
        return shutil.disk_usage(where).free
    except OSError:
        return None


def free_space_text(where: Path) -> str:
    free = free_bytes(where)
    if free is None:
        return "free space unknown"
    return f"{megabytes(free)} free; free some space, then import again (files already imported are kept)"


def megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"
