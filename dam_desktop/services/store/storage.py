"""The content-addressed file store and atomic writes into the library.

Every file the library writes (managed copies, thumbnails) is first written under `<library>/tmp/`,
then renamed to its final name. Managed copies are fsynced before the rename and their folders
after it, so a crash, even a power cut, leaves at most a stray file in `tmp/` (removed on the next
open), never a half file under a final name. The database row that points at a stored file is
committed only after that, so no row ever points at a file that is not there; a crash in between
leaves an unreferenced copy, which the next import of the same file simply reuses.

An import stages copies in `tmp/` from its workers and publishes a whole batch at once
(`publish_staged`): the fsyncs of a batch run concurrently, so the file system commits them in a
few journal transactions instead of one per file (per-file fsync made small files ~10x slower).
Thumbnails are renamed into place but not fsynced: they can always be made again.

How paths are stored in the database is `stored_paths`' job.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from dam_desktop.core.library import LibraryPaths

COPY_CHUNK = 1024 * 1024


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


# Folders of the fan-out (files/ab/cd, thumbnails/ab/cd) known to exist: most imports write into
# folders made earlier, and asking the file system each time costs more than the write.
_known_folders: set[Path] = set()


def ensure_folder(folder: Path) -> None:
    if folder not in _known_folders:
        folder.mkdir(parents=True, exist_ok=True)
        _known_folders.add(folder)


def commit_temp_file(handle: BinaryIO, tmp: Path, final: Path, *, durable: bool = True) -> None:
    """Flush `handle` (fsynced when `durable`) and rename its file to `final` atomically."""
    handle.flush()
    if durable:
        os.fsync(handle.fileno())
    handle.close()
    rename_into_place(tmp, final)
    if durable:
        _fsync_dir(final.parent)


def rename_into_place(tmp: Path, final: Path) -> None:
    try:
        ensure_folder(final.parent)
        tmp.replace(final)
    except FileNotFoundError:  # the folder went away since we saw it (a library emptied, say)
        _known_folders.discard(final.parent)
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp.replace(final)


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


# fsync mostly waits on the disk, so more threads than cores pays: they share journal commits.
FSYNC_THREADS = 16
_fsync_pool: ThreadPoolExecutor | None = None
_fsync_pool_lock = threading.Lock()


def _fsync_executor() -> ThreadPoolExecutor:
    global _fsync_pool
    with _fsync_pool_lock:
        if _fsync_pool is None:
            _fsync_pool = ThreadPoolExecutor(FSYNC_THREADS, thread_name_prefix="dam-fsync")
        return _fsync_pool


def _fsync_dir_quietly(folder: Path) -> None:
    with contextlib.suppress(OSError):
        _fsync_dir(folder)


def stage_bytes(paths: LibraryPaths, sha256_hex: str, data: bytes) -> Path | None:
    """Write `data` under `tmp/` for `publish_staged`; None when the store already holds it."""
    if paths.stored_file_path(sha256_hex).is_file():
        return None
    tmp = paths.tmp_dir / uuid.uuid4().hex
    with tmp.open("xb") as handle:
        handle.write(data)
    return tmp


def _fsync_path(path: Path) -> str | None:
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def publish_staged(paths: LibraryPaths, staged: Sequence[tuple[Path, str]]) -> dict[Path, str]:
    """Make staged copies durable and rename them into the store; returns {temp path: error}."""
    pool = _fsync_executor()
    errors: dict[Path, str] = {}
    tmps = [tmp for tmp, _ in staged]
    for tmp, error in zip(tmps, pool.map(_fsync_path, tmps), strict=True):
        if error is not None:
            errors[tmp] = error
    folders: set[Path] = set()
    for tmp, sha256_hex in staged:
        if tmp in errors:
            tmp.unlink(missing_ok=True)
            continue
        final = paths.stored_file_path(sha256_hex)
        try:
            if final.is_file():  # another file with the same content got there first
                tmp.unlink()
            else:
                rename_into_place(tmp, final)
        except OSError as exc:
            errors[tmp] = exc.strerror or str(exc)
            tmp.unlink(missing_ok=True)
            continue
        folders.update((final.parent, final.parent.parent))
    if os.name != "nt":
        list(pool.map(_fsync_dir_quietly, folders))
    return errors


def discard_staged(tmps: Sequence[Path]) -> None:
    for tmp in tmps:
        tmp.unlink(missing_ok=True)
