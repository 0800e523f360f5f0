"""What leaves the window as files (drags, the clipboard): URLs named like the originals."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QMimeData, QUrl

from dam_desktop.services.browse.browse_sql import TileInfo
from dam_desktop.use_cases.outbox import files_for_export


def outgoing_paths(library_root: Path, infos: Iterable[TileInfo]) -> list[Path]:
    """Each asset's file under its original name (a hard link in the library's outbox)."""
    items = [(info.entity_id, info.file_path, info.filename) for info in infos if info.file_path is not None]
    return files_for_export(library_root, [(eid, path, name) for eid, path, name in items if path])


def files_mime(paths: list[Path]) -> QMimeData:
    """URLs for other apps; file managers paste them as files (GNOME reads its own list)."""
    mime = QMimeData()
    urls = [QUrl.fromLocalFile(str(path)) for path in paths]
    mime.setUrls(urls)
    mime.setText("\n".join(str(path) for path in paths))
    gnome = "copy\n" + "\n".join(url.toString() for url in urls)
    mime.setData("x-special/gnome-copied-files", gnome.encode("utf-8"))
    return mime
