"""Hand files to other apps under their original names (drag-out, copy, open, reveal).

Synchronous on purpose: a drag needs its URLs before it starts, and a hard link is one metadata
write. Only a file system without hard links costs a copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from dam_desktop.services.store.outbox import OutgoingFile, named_files


def files_for_export(library_root: Path, items: Iterable[tuple[int, Path, str]]) -> list[Path]:
    """For each (entity id, file path, original name), a path named like the original."""
    return named_files(library_root, [OutgoingFile(eid, path, name) for eid, path, name in items])
