"""What leaves the window as files (drags, the clipboard): URLs named like the originals."""

from __future__ import annotations

import atexit
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QMimeData, QUrl
from PySide6.QtGui import QGuiApplication
from shiboken6 import isValid

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


@dataclass
class _Copied:
    """The file list this app last put on the clipboard, while it may still be there."""

    mime: QMimeData | None = None
    paths: list[Path] = field(default_factory=list)
    exit_hook: bool = False


_copied = _Copied()


def put_files_on_clipboard(paths: list[Path]) -> None:
    """The files on the clipboard, for a file manager to paste under their names.

    A QMimeData made here belongs to Python, and the clipboard keeps it until the app's very end:
    destroyed after the interpreter has finished, it crashes the process on exit. So before the
    interpreter finishes, a copy still on the clipboard is handed over as Qt's own plain text (the
    paths) instead."""
    mime = files_mime(paths)
    QGuiApplication.clipboard().setMimeData(mime)
    _copied.mime, _copied.paths = mime, list(paths)
    if not _copied.exit_hook:
        atexit.register(_hand_over_before_exit)
        _copied.exit_hook = True


def _hand_over_before_exit() -> None:
    mime, _copied.mime = _copied.mime, None
    if mime is None or QGuiApplication.instance() is None or not isValid(mime):
        return  # another copy replaced it meanwhile (and Qt deleted it then)
    clipboard = QGuiApplication.clipboard()
    if clipboard.mimeData() is mime:
        clipboard.setText("\n".join(str(path) for path in _copied.paths))
