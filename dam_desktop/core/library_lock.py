"""One writer per library: an OS-level lock on `<library>/.dam.lock`.

The OS releases the lock when the process dies, so a crash never leaves a library locked.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from dam_desktop.core.errors import LibraryError, LibraryLockedError


class LibraryLock:
    def __init__(self, lock_path: Path) -> None:
        self._path = lock_path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        try:
            handle = self._path.open("a+", encoding="utf-8")
        except OSError as exc:
            # A read-only disk or folder: say so in one line; the library cannot be written at all.
            raise LibraryError(
                f"cannot open the library at {self._path.parent}: {exc.strerror or exc} "
                f"(it needs to write {self._path.name} there; is the folder or its disk read-only?)"
            ) from exc
        try:
            _lock_nonblocking(handle)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise LibraryLockedError(
                f"The library at {self._path.parent} is already open in another dam-desktop "
                f"process (pid {holder}). Close it there first, or open another library."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        try:
            _unlock(self._handle)
        finally:
            self._handle.close()
            self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None


if sys.platform == "win32":
    import msvcrt

    def _lock_nonblocking(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_nonblocking(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
