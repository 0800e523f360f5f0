"""Files leave the app under their real names: hard links named like the original, in `tmp/outbox/`.

Stored copies are named by their hash (`files/3e/4e/3e4e…`), which another app cannot open by
type, and Windows not at all. Drag-out, copy, "Open with Default App" and "Show in File Manager"
hand over `tmp/outbox/<entity id>/<original name>` instead: a hard link to the stored copy (same
folder tree, so same device: instant and no extra space), a copy where the file system refuses
links. A linked original that already carries its name is handed over as it is. `tmp/` is emptied
each time the library opens, which is when the outbox is cleaned up.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from dam_desktop.utils.safe_paths import UnsafePathError, child, file_name

OUTBOX = ("tmp", "outbox")
_UNSAFE_CHARACTERS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True)
class OutgoingFile:
    entity_id: int
    path: Path  # where the bytes are now (a stored copy or a linked original)
    name: str  # the asset's original file name


def outgoing_name(name: str, fallback: str) -> str:
    """`name` made safe as a plain file name on every platform (`fallback` when nothing is left)."""
    cleaned = _UNSAFE_CHARACTERS.sub("_", name).strip().strip(".") or fallback
    try:
        return file_name(cleaned[:200])
    except UnsafePathError:
        return fallback


def outbox_dir(library_root: Path) -> Path:
    return library_root.joinpath(*OUTBOX)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def named_file(library_root: Path, item: OutgoingFile) -> Path:
    """A path to `item`'s bytes whose name is its original name (with its extension)."""
    name = outgoing_name(item.name, f"asset-{item.entity_id}")
    if item.path.name == name:
        return item.path  # a linked original under its own name: hand over the user's file
    folder = outbox_dir(library_root) / str(item.entity_id)
    target = child(folder, name) if folder.is_dir() else folder / name
    if _same_file(target, item.path):
        return target
    folder.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(item.path, target)
    except OSError:
        shutil.copy2(item.path, target)  # a file system without hard links (or across devices)
    return target


def named_files(library_root: Path, items: list[OutgoingFile]) -> list[Path]:
    """`named_file` for each item whose bytes can be reached; unreachable ones are left out."""
    found: list[Path] = []
    for item in items:
        try:
            found.append(named_file(library_root, item))
        except (OSError, UnsafePathError):
            continue
    return found
