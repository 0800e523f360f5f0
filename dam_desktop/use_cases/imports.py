"""Importing files and folders: the window's drops and menus and `dam-desktop import` call this.

The import writes in batches, each in its own transaction, and tells the world after each commit
which assets arrived (`services.ingest`), so a long import shows its first tiles at once and a
cancel or a crash keeps what was already stored. The user's choices (hidden files, symbolic links)
become the walk's rules here, once for both front ends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dam_desktop.services.ingest.import_service import (
    CancelToken,
    ImportMode,
    ImportProgress,
    ImportReport,
    ImportRules,
    import_paths,
)
from dam_desktop.services.ingest.import_walk import DEFAULT_SKIP_PATTERNS

if TYPE_CHECKING:
    from dam_desktop.core.world import World

__all__ = ["CancelToken", "ImportMode", "ImportProgress", "ImportReport", "import_files", "prepare_decoders"]


def prepare_decoders() -> None:
    """Call on the main thread of a process without a window (the CLI) before importing: SVG text
    is drawn with Qt's fonts, which need an application object made on that thread."""
    from dam_desktop.services.media.svg_probe import ensure_gui_app

    ensure_gui_app()


async def import_files(
    world: World,
    paths: Sequence[str | Path],
    *,
    mode: ImportMode = "copy",
    include_hidden: bool = False,
    follow_symlinks: bool = True,
    any_file: bool = False,
    on_progress: Callable[[ImportProgress], None] | None = None,
    cancel: CancelToken | None = None,
) -> ImportReport:
    """Import `paths` (folders recursively); the report says what happened to each file.

    Hidden and system files inside folders (Thumbs.db, .DS_Store, partial downloads) are left out
    unless `include_hidden`; files no decoder recognises are skipped (with the reason) unless
    `any_file`, which imports them as generic assets. `on_progress` runs on the world thread.
    """
    rules = ImportRules(
        skip_hidden=not include_hidden,
        skip_patterns=() if include_hidden else DEFAULT_SKIP_PATTERNS,
        follow_symlinks=follow_symlinks,
        any_file=any_file,
    )
    return await import_paths(world, paths, mode=mode, rules=rules, on_progress=on_progress, cancel=cancel)
