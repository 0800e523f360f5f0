"""Re-hash what the library holds: the part of `check_locations(verify=...)` that reads contents.

The plain check compares sizes, so a stored copy altered in place with the same size (a flipped
bit, a bad sector remapped, a tool that rewrote the file) goes unseen. Verifying reads each file
that passed the size check and compares its SHA-256 with the one recorded at import; a mismatch
becomes a "changed" problem, marked like any other, and re-importing the original replaces a
damaged stored copy (`import_service`).

Reading everything competes with the user's own work for the disk, so the reads are throttled:
`Verifier` shares one budget of bytes per second between the check's worker threads, and stops
mid-file when the check is cancelled.
"""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

from dam_desktop.core.library import STORAGE_MANAGED
from dam_desktop.models.files import PROBLEM_CHANGED
from dam_desktop.services.ingest.import_worker import CancelToken

HASH_CHUNK = 1024 * 1024
# The default budget: a laptop's SSD reads several times this, so the window and an import keep
# most of the disk while a verify runs.
DEFAULT_BYTES_PER_SECOND = 100 * 1000 * 1000


class Verifier:
    """Hashes files for the check within a shared read budget (`bytes_per_second`; 0: no limit)."""

    def __init__(self, bytes_per_second: int = DEFAULT_BYTES_PER_SECOND) -> None:
        self.bytes_per_second = bytes_per_second
        self._lock = threading.Lock()
        self._next_free = time.monotonic()
        self.bytes_read = 0

    def _pace(self, size: int) -> None:
        if self.bytes_per_second <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_free)
            self._next_free = start + size / self.bytes_per_second
        if start > now:
            time.sleep(start - now)

    def sha256(self, file: Path, cancel: CancelToken) -> bytes | None:
        """The file's SHA-256; None when cancelled. Raises OSError when it cannot be read."""
        digest = hashlib.sha256()
        with file.open("rb") as handle:
            while chunk := handle.read(HASH_CHUNK):
                if cancel.cancelled:
                    return None
                self._pace(len(chunk))
                digest.update(chunk)
                with self._lock:
                    self.bytes_read += len(chunk)
        return digest.digest()

    def verdict(
        self, file: Path, storage_type: str, expected: bytes | None, cancel: CancelToken
    ) -> tuple[str, str] | None:
        """None when the content is what was imported (or cannot be judged); else (problem, reason)."""
        if expected is None:
            return None
        try:
            found = self.sha256(file, cancel)
        except OSError as exc:
            return PROBLEM_CHANGED, f"cannot be read to verify it: {exc.strerror or exc}"
        if found is None or found == expected:
            return None
        if storage_type == STORAGE_MANAGED:
            return PROBLEM_CHANGED, (
                "the stored copy is damaged: same size, different content (SHA-256); "
                "import the original again to repair it"
            )
        return PROBLEM_CHANGED, (
            "a different file is there: same size, different content (SHA-256) than when it was imported"
        )
