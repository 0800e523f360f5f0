"""Paths that stay inside: the one place that turns a path from the database or a file name into a
path on disk, refusing anything that would leave the folder it belongs to.

A database row can be tampered with and a file name can be hostile (`../x.png`, `/abs/x.png`), and
a folder may hold symbolic links someone put there (a dangling link named like the file we are about
to write, a subfolder linked elsewhere). Every writer and deleter in the library (store, trash,
thumbnails, export, the model folder) asks `inside` or `child` first and gets either a path whose
every existing component below the root is a real folder, or an `UnsafePathError` naming the path
and the reason, which callers report per file.

Checking then writing leaves a window in which a link could appear; writers that create new files
outside the library (export) close it by opening with `O_EXCL | O_NOFOLLOW` as well (`create_new`).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path, PurePath, PureWindowsPath

from dam_desktop.core.errors import UnsafePathError

__all__ = ["UnsafePathError", "child", "contained", "create_new", "file_name", "inside"]


def _parts(relative: str) -> tuple[str, ...]:
    """The components of a relative path, or UnsafePathError when it is not one that stays below."""
    if not relative or "\x00" in relative:
        raise UnsafePathError(repr(relative), "not a file name")
    windows = PureWindowsPath(relative)
    if relative[0] in "/\\" or (os.name == "nt" and (windows.drive or windows.root)):
        raise UnsafePathError(relative, "is an absolute path, refused")
    # Split on both separators: a name stored on Windows must not climb out on POSIX either.
    parts = tuple(part for part in re.split(r"[\\/]", relative) if part not in ("", "."))
    if ".." in parts:
        raise UnsafePathError(relative, "climbs out of its folder ('..'), refused")
    if not parts:
        raise UnsafePathError(relative, "not a file name")
    return parts


def _refuse_links(root: Path, parts: tuple[str, ...], shown: str) -> None:
    """Refuse a path any existing component of which, below `root`, is a link or not a folder."""
    current = root
    for index, part in enumerate(parts):
        current = current / part
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            return  # nothing further down exists, so nothing further down can be a link
        except NotADirectoryError as exc:
            raise UnsafePathError(shown, f"{current.parent} is not a folder") from exc
        if stat.S_ISLNK(info.st_mode):
            what = "symbolic link" if current.exists() else "dangling symbolic link"
            raise UnsafePathError(shown, f"{current} is a {what}, refused")
        if index < len(parts) - 1 and not stat.S_ISDIR(info.st_mode):
            raise UnsafePathError(shown, f"{current} is not a folder")


def inside(root: Path, relative: str | PurePath) -> Path:
    """`root / relative`, refused unless it stays inside `root` with no link on the way.

    `relative` is what a database row or a file name says: `..`, absolute paths, and any existing
    symbolic link below `root` (dangling or not, at the end or in a subfolder) are refused. `root`
    itself may be a link: it is the folder the user chose.
    """
    shown = os.fspath(relative)
    parts = _parts(shown)
    _refuse_links(root, parts, shown)
    return root.joinpath(*parts)


def file_name(name: str) -> str:
    """`name` when it is a plain file name (no folder, no `..`, not absolute); else UnsafePathError."""
    parts = _parts(name)
    if len(parts) != 1 or parts[0] != name:
        raise UnsafePathError(name, "is a path, not a file name, refused")
    return name


def child(folder: Path, name: str) -> Path:
    """A file directly in `folder` named `name` (a file name, never a path), checked as `inside`."""
    return inside(folder, file_name(name))


def contained(root: Path, path: Path) -> Path:
    """`path` (absolute, built by the library itself) checked as `inside(root, its relative part)`."""
    try:
        relative = path.relative_to(root)
    except ValueError as exc:
        raise UnsafePathError(str(path), f"is outside {root}, refused") from exc
    return inside(root, relative)


def create_new(path: Path) -> int:
    """Open a new file for writing without following a link and without replacing anything."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    return os.open(path, flags, 0o666)
