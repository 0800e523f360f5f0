"""One writer per library: an OS-level lock on `<library>/.dam.lock`.

The OS releases the lock when the process dies, so a crash never leaves a library locked.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from dam_desktop.core.errors import LibraryLockedError


class LibraryLock:
    def __init__(self, lock_path: Path) -> None:
        self._path = lock_path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        handle = self._path.open("a+", encoding="utf-8")
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
