"""Looking at one file the library expects (in a worker thread): there, missing, or changed, and why."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from dam_desktop.core.library import STORAGE_MANAGED, LibraryPaths
from dam_desktop.models.files import PROBLEM_CHANGED, PROBLEM_MISSING
from dam_desktop.services.store.stored_paths import decode_db_path, location_file
from dam_desktop.utils.media_utils import display_path


@dataclass(frozen=True)
class StoredLocation:
    location_id: int
    entity_id: int
    storage_type: str
    stored_path: str
    source_path: str | None


def _missing_reference_reason(file: Path, exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied: the file cannot be looked at"
    if not isinstance(exc, FileNotFoundError | NotADirectoryError):
        return f"cannot be looked at: {exc.strerror or exc}"
    if os.path.lexists(file):
        return "a symbolic link whose target is gone"
    if not file.parent.is_dir():
        return "its folder is gone too: moved or renamed, or on a drive that is not connected"
    return "not in its folder any more: deleted, renamed or moved"


def _missing_managed_reason(location: StoredLocation, size: int) -> str:
    gone = "the stored copy was deleted from the library folder"
    if location.source_path:
        source = Path(decode_db_path(location.source_path))
        try:
            original = source.stat()
        except OSError:
            original = None
        if original is not None and stat.S_ISREG(original.st_mode) and original.st_size == size:
            return (
                f"{gone}; the original is still at {display_path(str(source))}: import it again to restore it"
            )
    return f"{gone}; import the original again to restore it"


def inspect_location(
    paths: LibraryPaths, storage_type: str, stored_path: str, size: int, source_path: str | None = None
) -> tuple[str, str] | None:
    """None when the file is where the location says, with the size recorded at import; else
    (problem, reason). Blocking: call it from a worker thread."""
    location = StoredLocation(0, 0, storage_type, stored_path, source_path)
    return inspect_file(paths, location, size)


def inspect_file(paths: LibraryPaths, location: StoredLocation, size: int) -> tuple[str, str] | None:
    file = location_file(paths, location.storage_type, location.stored_path)
    managed = location.storage_type == STORAGE_MANAGED
    try:
        info = file.stat()
    except OSError as exc:
        if managed and isinstance(exc, FileNotFoundError | NotADirectoryError):
            return PROBLEM_MISSING, _missing_managed_reason(location, size)
        if exc.errno == errno.ENAMETOOLONG:
            return PROBLEM_MISSING, "the path is too long for this system"
        return PROBLEM_MISSING, _missing_reference_reason(file, exc)
    if stat.S_ISDIR(info.st_mode):
        return PROBLEM_MISSING, "a folder, not a file, is at this path now"
    if not stat.S_ISREG(info.st_mode):
        return PROBLEM_MISSING, "something other than a regular file is at this path now"
    if info.st_size != size:
        if managed:
            return PROBLEM_CHANGED, (
                f"the stored copy was altered: {info.st_size:,} bytes, {size:,} expected"
            )
        return PROBLEM_CHANGED, (
            f"a different file is there: {info.st_size:,} bytes now, {size:,} when it was imported "
            "(edited or replaced since)"
        )
    return None
