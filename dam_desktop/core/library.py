"""A library is a folder: the database, the managed file store and the thumbnails.

<library>/dam.sqlite3            the ECS world
<library>/files/ab/cd/<sha256>   managed copies (content-addressed)
<library>/thumbnails/ab/cd/<sha256>.webp      (and <sha256>-768.webp, made when a zoom wants it)
<library>/tmp/                   files being written; emptied on every open
<library>/trash/                 managed files removed from the library, restorable
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from dam_desktop.core.errors import LibraryError

DB_FILENAME = "dam.sqlite3"
# `FileLocationComponent.storage_type`: where an asset's bytes live.
STORAGE_MANAGED = "managed"  # a copy in the library's content-addressed store
STORAGE_REFERENCE = "reference"  # the file where the user keeps it
LOCK_FILENAME = ".dam.lock"
# A clip's hover-scrub strip holds this many frames, taken at the middles of equal spans of it.
SCRUB_STRIP_FRAMES = 8


@dataclass(frozen=True)
class LibraryPaths:
    root: Path
    # Set on a shared library's store, which many processes write at once: each keeps its
    # half-written files and its publishing journal under its own name (`<host>-<pid>`).
    client: str = ""

    @property
    def name(self) -> str:
        return self.root.name or str(self.root)

    @property
    def db_path(self) -> Path:
        return self.root / DB_FILENAME

    @property
    def lock_path(self) -> Path:
        return self.root / LOCK_FILENAME

    @property
    def files_dir(self) -> Path:
        return self.root / "files"

    @property
    def thumbnails_dir(self) -> Path:
        return self.root / "thumbnails"

    @property
    def tmp_dir(self) -> Path:
        return self.root / "tmp" / self.client if self.client else self.root / "tmp"

    @property
    def trash_dir(self) -> Path:
        return self.root / "trash"

    # One joinpath of a relative string instead of one `/` per level: the grid asks for
    # thousands of these while it fills, and each `/` parses and builds a whole Path.
    def stored_file_path(self, sha256_hex: str) -> Path:
        return self.root.joinpath(f"files/{sha256_hex[:2]}/{sha256_hex[2:4]}/{sha256_hex}")

    def thumbnail_path(self, sha256_hex: str) -> Path:
        return self.root.joinpath(f"thumbnails/{sha256_hex[:2]}/{sha256_hex[2:4]}/{sha256_hex}.webp")

    def large_thumbnail_path(self, sha256_hex: str) -> Path:
        """The sharper thumbnail for zooms above the usual one's size, made when first wanted."""
        return self.root.joinpath(f"thumbnails/{sha256_hex[:2]}/{sha256_hex[2:4]}/{sha256_hex}-768.webp")

    def scrub_strip_path(self, sha256_hex: str) -> Path:
        """A clip's hover-scrub strip: SCRUB_STRIP_FRAMES frames side by side, equally wide."""
        return self.root.joinpath(f"thumbnails/{sha256_hex[:2]}/{sha256_hex[2:4]}/{sha256_hex}.strip.webp")

    def is_library(self) -> bool:
        return self.db_path.is_file()


def check_library_layout(paths: LibraryPaths) -> None:
    """Refuse a library whose own folders are something else (`files/` replaced by a plain file),
    with a message saying which; creating or writing into them would fail file by file."""
    for folder in (paths.files_dir, paths.thumbnails_dir, paths.trash_dir, paths.tmp_dir):
        if os.path.lexists(folder) and not folder.is_dir():
            raise LibraryError(
                f"{folder} is not a folder: the library keeps its files there; "
                "move whatever is in its place away, then open the library again"
            )


def prepare_library_folder(paths: LibraryPaths) -> int:
    """Create the folder layout and drop half-written files left by a crash.

    Writers only ever create files under `tmp/` and rename them into place when complete, so
    whatever is in `tmp/` at open time belongs to a process that died. Returns how many went.
    """
    check_library_layout(paths)
    for folder in (paths.root, paths.files_dir, paths.thumbnails_dir, paths.trash_dir):
        folder.mkdir(parents=True, exist_ok=True)
    removed = 0
    if paths.tmp_dir.exists():
        for leftover in paths.tmp_dir.iterdir():
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
            removed += 1
    paths.tmp_dir.mkdir(exist_ok=True)
    return removed
