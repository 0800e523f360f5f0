"""Turn the files and folders a user dropped into the list of files to import.

Folders are walked recursively in name order. Symbolic links are followed (by default) but every
folder is entered at most once, keyed by its device and inode, so a link loop ends the descent
rather than the program. Hidden and system files found inside folders are left out by rules the
user can change; a path the user named explicitly is always taken.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dam_desktop.utils.media_utils import display_path

DEFAULT_SKIP_PATTERNS: tuple[str, ...] = (
    "Thumbs.db",
    "ehthumbs.db",
    "desktop.ini",
    ".DS_Store",
    "._*",  # macOS resource forks on foreign file systems
    ".localized",
    "Icon\r",
    "*.part",
    "*.crdownload",
    "*.download",
    "*.tmp",
    "*.xmp",  # sidecars: read with the file they describe
    "~$*",
    "$RECYCLE.BIN",
    "System Volume Information",
    "__MACOSX",
    ".Trashes",
    ".Spotlight-V100",
    ".fseventsd",
)


@dataclass(frozen=True)
class ImportRules:
    """Which files found inside folders are left out. Names are matched case-insensitively."""

    skip_hidden: bool = True
    skip_patterns: tuple[str, ...] = DEFAULT_SKIP_PATTERNS
    follow_symlinks: bool = True
    # Also import files no decoder recognises, as generic assets (off: they are skipped, with why).
    any_file: bool = False

    def skips(self, name: str, path: str) -> bool:
        if self.skip_hidden and (name.startswith(".") or _hidden_on_windows(path)):
            return True
        folded = name.casefold()
        return any(fnmatch.fnmatchcase(folded, pattern.casefold()) for pattern in self.skip_patterns)


def _hidden_on_windows(path: str) -> bool:
    if os.name != "nt":
        return False
    try:
        attributes = getattr(Path(path).stat(follow_symlinks=False), "st_file_attributes", 0)
    except OSError:
        return False
    hidden = getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 2) | getattr(stat, "FILE_ATTRIBUTE_SYSTEM", 4)
    return bool(attributes & hidden)


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a link loop (pathlib before 3.13)
        return False
    return any(resolved.is_relative_to(root) for root in roots)


@dataclass
class WalkResult:
    files: list[str] = field(default_factory=list)  # OS paths (str, surrogate-escaped), absolute
    failures: list[tuple[str, str]] = field(default_factory=list)  # (display path, reason)
    ignored: int = 0  # hidden or system entries left out by the rules


def _walk_error(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied: cannot open the folder"
    if isinstance(exc, FileNotFoundError):
        return "the folder disappeared while it was being read"
    return f"cannot read the folder: {exc.strerror or exc}"


LINK_LOOP = "symbolic link loop: it never leads to a file or folder"


def _entry_error(exc: OSError) -> str:
    return LINK_LOOP if exc.errno == errno.ELOOP else f"cannot read: {exc.strerror or exc}"


def _is_link_loop(path: str) -> bool:
    try:
        Path(path).stat()
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def walk_paths(
    paths: Sequence[str | Path],
    rules: ImportRules,
    is_cancelled: Callable[[], bool] = lambda: False,
    exclude_dirs: Sequence[Path] = (),
) -> WalkResult:
    """`exclude_dirs` are never entered: the library's own folder, when a user imports a folder holding it."""
    result = WalkResult()
    seen_dirs: set[tuple[int, int]] = set()
    excluded_roots = [folder.resolve() for folder in exclude_dirs]
    for excluded in exclude_dirs:
        try:
            info = excluded.stat()
        except OSError:
            continue
        seen_dirs.add((info.st_dev, info.st_ino))
    seen_files: set[str] = set()

    def add_file(path: str) -> None:
        if path not in seen_files:
            seen_files.add(path)
            result.files.append(path)

    def list_dir(folder: str) -> list[str]:
        """Add the folder's files; return its subfolders (empty when it was seen before)."""
        try:
            info = Path(folder).stat()
            key = (info.st_dev, info.st_ino)
            if key in seen_dirs:
                return []
            seen_dirs.add(key)
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            result.failures.append((display_path(folder), _walk_error(exc)))
            return []
        subfolders: list[str] = []
        for entry in entries:
            if rules.skips(entry.name, entry.path):
                result.ignored += 1
                continue
            try:
                if entry.is_symlink() and not rules.follow_symlinks:
                    result.ignored += 1
                elif entry.is_dir():
                    subfolders.append(entry.path)
                elif entry.is_file():
                    add_file(entry.path)
                elif entry.is_symlink():
                    result.failures.append(
                        (display_path(entry.path), "broken symbolic link: its target does not exist")
                    )
                # Sockets, pipes and devices are not files anyone means to import.
            except OSError as exc:
                result.failures.append((display_path(entry.path), _entry_error(exc)))
        return subfolders

    def visit_dir(root: str) -> None:
        # An explicit stack, not recursion: a very deep tree must not hit Python's recursion limit.
        stack = [root]
        while stack and not is_cancelled():
            stack.extend(reversed(list_dir(stack.pop())))

    for raw in paths:
        if is_cancelled():
            break
        # abspath, not resolve(): a path given through a symbolic link keeps the name the user chose.
        path = os.path.abspath(os.fspath(raw))  # noqa: PTH100
        as_path = Path(path)
        if _is_link_loop(path):
            result.failures.append((display_path(path), LINK_LOOP))
        elif _inside(as_path, excluded_roots):
            result.failures.append((display_path(path), "is inside the library itself"))
        elif as_path.is_dir():
            visit_dir(path)
        elif as_path.is_file():
            add_file(path)
        elif as_path.is_symlink():
            result.failures.append((display_path(path), "broken symbolic link: its target does not exist"))
        elif os.path.lexists(path):
            result.failures.append((display_path(path), "not a regular file or folder"))
        else:
            result.failures.append((display_path(path), "no such file or folder"))
    return result
