"""`dam-desktop`: the window, or a headless command when the command line names one.

Starting the window as fast as possible: `dam-desktop [--library PATH]` comes here.

Before Qt's widgets are even imported, the library is locked and its first grid is being read
on another thread (`library_opening`); `app.run_gui` then builds the window around that head
start. Only QtCore is loaded first, for the remembered sort order.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def wants_gui(argv: Sequence[str]) -> bool:
    """True when the arguments name no subcommand and ask for no help or version.

    What is left after `--library` is either empty or Qt's own options (`-platform offscreen`),
    which start with a dash; a bare word is a subcommand, known or not, for the full parser.
    The window then starts without importing every command's module (the import pipeline, the
    search compiler ...), which would cost start-up time for nothing.
    """
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--library")
    _known, rest = pre.parse_known_args(argv)
    if any(arg in ("-h", "--help", "--version") for arg in rest):
        return False
    return not rest or rest[0].startswith("-")


def main(argv: Sequence[str] | None = None) -> int:
    """The `dam-desktop` script: the window, or the command the arguments name (`dam_desktop.cli`)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not wants_gui(args_list):
        from dam_desktop.cli.main import main as run_command

        return run_command(args_list)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--library")
    pre.add_argument("--store")
    known, qt_args = pre.parse_known_args(args_list)
    if known.library is not None and not known.library.strip():
        print("dam-desktop: --library is empty: name a library folder", file=sys.stderr)
        return 2
    return start_gui(known.library, qt_args, known.store)


def start_gui(library: str | None, qt_args: Sequence[str] = (), store: str | None = None) -> int:
    from PySide6.QtCore import QSettings

    from dam_desktop.core.library_location import is_server_url
    from dam_desktop.library_opening import begin_opening
    from dam_desktop.settings import APPLICATION_NAME, ORGANIZATION_NAME, default_library_path
    from dam_desktop.ui.grid.grid_settings import saved_sort
    from dam_desktop.ui.window.store_mapping import store_mount

    settings = QSettings(ORGANIZATION_NAME, APPLICATION_NAME)
    library_path: Path | str
    store_root: Path | None = None
    if library and is_server_url(library):
        library_path = library.strip()
        store_root = store_mount(settings, library_path, Path(store).expanduser() if store else None)
    else:
        library_path = Path(library).expanduser() if library else default_library_path()
    opening = begin_opening(library_path, *saved_sort(settings), store_root)

    from dam_desktop.app import run_gui

    return run_gui(library_path, qt_args, opening)
