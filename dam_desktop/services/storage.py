"""The content-addressed file store and atomic writes into the library.

Every file the library writes (managed copies, thumbnails) is first written under `<library>/tmp/`,
flushed and fsynced, then renamed to its final name, and the folder is fsynced. A crash therefore
leaves at most a stray file in `tmp/` (removed on the next open), never a half file under a final
name. The database row that points at a stored file is committed only after the rename, so no row
ever points at a file that is not there; a crash between the two leaves an unreferenced copy,
which the next import of the same file simply reuses.

Paths in the database must be valid UTF-8, but POSIX file names are bytes. A path that is not
valid UTF-8 is stored as `bytes:` followed by its bytes percent-encoded, which is lossless and
readable; `decode_db_path` turns it back into the OS path.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote_from_bytes, unquote_to_bytes

from dam_desktop.core.library import LibraryPaths
from dam_desktop.models.files.file_location_component import STORAGE_MANAGED

ENCODED_PATH_PREFIX = "bytes:"
COPY_CHUNK = 1024 * 1024


def encode_db_path(path: str | os.PathLike[str]) -> str:
    """A path as the database stores it: itself when it is valid UTF-8, else `bytes:` + %-escapes."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return ENCODED_PATH_PREFIX + quote_from_bytes(os.fsencode(text), safe="/ !#$&'()*+,-.:;=@[]^_`{}~")
    return text


def decode_db_path(stored: str) -> str:
    """The OS path a stored path stands for (the inverse of `encode_db_path`)."""
    if stored.startswith(ENCODED_PATH_PREFIX):
        return os.fsdecode(unquote_to_bytes(stored[len(ENCODED_PATH_PREFIX) :]))
    return stored


def managed_relative_path(sha256_hex: str) -> str:
    """The library-relative path of a managed copy, as `FileLocationComponent.path` stores it."""
    return f"files/{sha256_hex[:2]}/{sha256_hex[2:4]}/{sha256_hex}"


def location_file(paths: LibraryPaths, storage_type: str, stored_path: str) -> Path:
    """Where on disk a `FileLocationComponent` points."""
    if storage_type == STORAGE_MANAGED:
        return paths.root / stored_path
    return Path(decode_db_path(stored_path))


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder for fsync; NTFS journals renames itself.
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def temp_file(paths: LibraryPaths, suffix: str = "") -> Iterator[tuple[BinaryIO, Path]]:
    """A new file under `<library>/tmp/`, removed again unless the caller renamed it away."""
    tmp = paths.tmp_dir / f"{uuid.uuid4().hex}{suffix}"
    handle = tmp.open("xb")
    try:
        yield handle, tmp
    finally:
        handle.close()
        tmp.unlink(missing_ok=True)


def commit_temp_file(handle: BinaryIO, tmp: Path, final: Path, *, durable: bool = True) -> None:
    """Flush `handle` (fsynced when `durable`) and rename its file to `final` atomically."""
    handle.flush()
    if durable:
        os.fsync(handle.fileno())
    handle.close()
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp.replace(final)
    if durable:
        _fsync_dir(final.parent)


def write_atomic(paths: LibraryPaths, final: Path, data: bytes, *, durable: bool = True) -> None:
    with temp_file(paths, final.suffix) as (handle, tmp):
        handle.write(data)
        commit_temp_file(handle, tmp, final, durable=durable)


def store_bytes(paths: LibraryPaths, sha256_hex: str, data: bytes) -> bool:
    """Put `data` into the content-addressed store; False when an identical copy was already there."""
    final = paths.stored_file_path(sha256_hex)
    if final.is_file():
        return False
    write_atomic(paths, final, data)
    return True
