"""How much room an import's next batch needs on the library's disk (checked before it starts)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from dam_desktop.services.ingest.import_worker import ImportMode

# Room kept free beyond a batch's copies: its thumbnails, the database's pages and its WAL.
SPACE_MARGIN = 1024 * 1024
THUMBNAIL_ALLOWANCE = 64 * 1024


def space_needed(upcoming: list[str], mode: ImportMode) -> int:
    needed = SPACE_MARGIN + THUMBNAIL_ALLOWANCE * len(upcoming)
    if mode == "copy":
        for path in upcoming:
            with contextlib.suppress(OSError):  # a file gone since the walk is the worker's to report
                needed += Path(path).stat().st_size
    return needed
