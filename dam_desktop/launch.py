"""`dam-desktop`: the window, or a headless command when the command line names one.

Starting the window as fast as possible: `dam-desktop [--library PATH] [FILE...]` comes here.
The files are imported into the window; when a window already runs (on that library, or with no
`--library`, any window of this user) the files go to it instead (`handoff`) and this process ends.

Before Qt's widgets are even imported, the library is locked and its first grid is being read
on another thread (`library_opening`); `app.run_gui` then builds the window around that head
start. Only QtCore is loaded first, for the remembered sort order.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def names_a_file(word: str) -> bool:
    """A bare word that is no command but a file to import: one that exists, or a path."""
    from dam_desktop.cli.commands import COMMANDS

    if word in COMMANDS or word.startswith("-"):
        return False
    return Path(word).expanduser().exists() or "/" in word or os.sep in word


def split_files(rest: Sequence[str]) -> tuple[list[str], list[str]]:
    """The files named first, and Qt's own options after them (`-platform offscreen`)."""
    files: list[str] = []
    for index, word in enumerate(rest):
        if not names_a_file(word):
            return files, list(rest[index:])
        files.append(word)
    return files, []


def wants_gui(argv: Sequence[str]) -> bool:
    """True when the arguments name no subcommand and ask for no help or version.

    What is left after `--library` is either empty, files to import, or Qt's own options
    (`-platform offscreen`), which start with a dash; another bare word is a subcommand, known or
    not, for the full parser.
    The window then starts without importing every command's module (the import pipeline, the
    search compiler ...), which would cost start-up time for nothing.
    """
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--library")
    _known, rest = pre.parse_known_args(argv)
    if any(arg in ("-h", "--help", "--version") for arg in rest):
        return False
    return not rest or rest[0].startswith("-") or names_a_file(rest[0])


def main(argv: Sequence[str] | None = None) -> int:
    """The `dam-desktop` script: the window, or the command the arguments name (`dam_desktop.cli`)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not wants_gui(args_list):
        from dam_desktop.cli.main import main as run_command

        return run_command(args_list)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--library")
    pre.add_argument("--store")
    known, rest = pre.parse_known_args(args_list)
    if known.library is not None and not known.library.strip():
        print("dam-desktop: --library is empty: name a library folder", file=sys.stderr)
        return 2
    files, qt_args = split_files(rest)
    return start_gui(known.library, qt_args, known.store, [Path(f).expanduser().absolute() for f in files])


def start_gui(
    library: str | None, qt_args: Sequence[str] = (), store: str | None = None, files: Sequence[Path] = ()
) -> int:
    from PySide6.QtCore import QSettings

    from dam_desktop.core.errors import LibraryLockedError
    from dam_desktop.core.library_location import is_server_url
    from dam_desktop.library_opening import begin_opening
    from dam_desktop.settings import APPLICATION_NAME, ORGANIZATION_NAME, default_library_path
    from dam_desktop.ui.grid.grid_settings import saved_sort, saved_zoom, tiles_on_a_large_screen
    from dam_desktop.ui.window.store_mapping import store_mount

    settings = QSettings(ORGANIZATION_NAME, APPLICATION_NAME)
    library_path: Path | str
    store_root: Path | None = None
    if library and is_server_url(library):
        library_path = library.strip()
        store_root = store_mount(settings, library_path, Path(store).expanduser() if store else None)
    else:
        library_path = Path(library).expanduser() if library else default_library_path()
    names = handoff_names(library_path, by_user=bool(files) and library is None)
    # A window on a library folder holds its lock: without files to hand over, a free lock says
    # no window is there to ask, and the handoff's socket (and its imports) are skipped.
    if files or isinstance(library_path, str):
        handed = _hand_over(names(), files)
        if handed is not None:
            return handed
    first_screen = tiles_on_a_large_screen(saved_zoom(settings))
    opening = begin_opening(library_path, *saved_sort(settings), store_root, first_screen)
    if isinstance(opening.error, LibraryLockedError):
        # A window that has just taken the library listens a moment later (once Qt has loaded).
        handed = _hand_over(names(), files, wait_s=HANDOFF_WAIT_S)
        if handed is not None:
            return handed

    from dam_desktop.app import run_gui

    return run_gui(library_path, qt_args, opening, files)


HANDOFF_WAIT_S = 3.0  # from taking the lock to listening, a window needs Qt's import (~0.5 s)


def handoff_names(library: Path | str, *, by_user: bool) -> Callable[[], list[str]]:
    """Where a running window may listen: any window of this user (files without `--library`),
    then the one on `library`; worked out when first asked."""

    @functools.cache
    def names() -> list[str]:
        from dam_desktop.handoff import USER_KEY, library_key, socket_name

        found = [socket_name(USER_KEY)] if by_user else []
        return [*found, socket_name(library_key(library))]

    return names


def _hand_over(names: Sequence[str], files: Sequence[Path], wait_s: float = 0.0) -> int | None:
    """The exit status when a running window took the launch over, None when none runs."""
    import time

    from dam_desktop.handoff import HandoffRefused, hand_over

    deadline = time.monotonic() + wait_s
    while True:
        try:
            if hand_over(names, files):
                return 0
        except HandoffRefused as exc:
            print(f"dam-desktop: {exc}", file=sys.stderr)
            return 1
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.2)
