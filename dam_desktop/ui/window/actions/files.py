"""Open, reveal, copy path and export: actions on the assets' files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog, QStyle

from dam_desktop.ui.grid.outgoing import outgoing_paths, put_files_on_clipboard
from dam_desktop.ui.window.context_menu import ActionContext, AssetAction, Selection, in_library
from dam_desktop.use_cases.assets import export, export_query


def _files(selection: Selection) -> list[Path]:
    return [info.file_path for info in selection.infos if info.file_path is not None]


def _named(context: ActionContext, selection: Selection) -> list[Path]:
    """The files under their original names, as other apps should see them."""
    return outgoing_paths(context.client.paths.root, selection.infos)


def open_path(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def reveal_path(path: Path) -> bool:
    """Show the file selected in the platform's file manager (its folder where that is not possible)."""
    if sys.platform == "darwin":
        return subprocess.call(["open", "-R", str(path)]) == 0
    if sys.platform == "win32":
        subprocess.Popen(["explorer", f"/select,{path}"])
        return True
    try:
        from PySide6.QtDBus import QDBusConnection, QDBusInterface

        bus = QDBusConnection.sessionBus()
        if bus.isConnected():
            manager = QDBusInterface(
                "org.freedesktop.FileManager1",
                "/org/freedesktop/FileManager1",
                "org.freedesktop.FileManager1",
                bus,
            )
            if manager.isValid():
                manager.call("ShowItems", [QUrl.fromLocalFile(str(path)).toString()], "")
                return True
    except ImportError:
        pass
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


async def _open(context: ActionContext, selection: Selection) -> None:
    for path in _named(context, selection)[:20]:
        if not open_path(path):
            context.show_message(f"No application could open {path.name}")


async def _reveal(context: ActionContext, selection: Selection) -> None:
    files = _named(context, selection)
    if files:
        reveal_path(files[0])


async def copy_files(context: ActionContext, selection: Selection) -> None:
    """Ctrl+C: the files on the clipboard, pasted by a file manager under their original names."""
    files = _named(context, selection)
    put_files_on_clipboard(files)
    context.show_message(f"Copied {len(files)} file{'s' if len(files) != 1 else ''}")


async def _copy_path(context: ActionContext, selection: Selection) -> None:
    files = _files(selection)
    QGuiApplication.clipboard().setText("\n".join(str(path) for path in files))
    context.show_message(f"Copied {len(files)} path{'s' if len(files) != 1 else ''}")


async def _export(context: ActionContext, selection: Selection) -> None:
    folder = QFileDialog.getExistingDirectory(context.window, "Export copies to folder")
    if not folder:
        return
    ids, scope = list(selection.entity_ids), selection.scope
    if scope is not None and not scope.trash:  # the whole result: every match, a batch at a time
        outcome = await context.client.call(
            lambda world: export_query(world, scope.query, Path(folder), excluded=scope.excluded)
        )
    else:
        outcome = await context.client.call(lambda world: export(world, ids, Path(folder)))
    written = len(outcome.written)
    message = f"Exported {written} file{'s' if written != 1 else ''} to {folder}"
    if outcome.unreadable:
        first_reason = next(iter(outcome.unreadable.values()))
        message += f"; {len(outcome.unreadable)} not exported ({first_reason})"
    context.show_message(message)


def _has_files(selection: Selection) -> bool:
    return bool(_files(selection))


ACTIONS = [
    AssetAction(
        "open-default",
        "Open with Default App",
        _open,
        applies_to=lambda s: _has_files(s) and len(s) <= 20,
        group=10,
        order=10,
        icon=QStyle.StandardPixmap.SP_DialogOpenButton,
    ),
    AssetAction(
        "reveal",
        "Show in File Manager",
        _reveal,
        applies_to=lambda s: _has_files(s) and len(s) == 1,
        group=10,
        order=20,
        icon=QStyle.StandardPixmap.SP_DirOpenIcon,
    ),
    AssetAction(
        "copy-files", "Copy", copy_files, applies_to=_has_files, group=20, order=5, shortcut="Ctrl+C"
    ),
    AssetAction("copy-path", "Copy Path", _copy_path, applies_to=_has_files, group=20, order=10),
    AssetAction(
        "export",
        "Export Copies to Folder…",
        _export,
        applies_to=lambda s: _has_files(s) and in_library(s),
        group=20,
        order=20,
        icon=QStyle.StandardPixmap.SP_DialogSaveButton,
    ),
]
