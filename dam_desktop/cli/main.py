"""Entry point of `dam-desktop`.

Subcommands live one per module in `dam_desktop.cli.commands`; each module has
`register(subparsers)` that adds its parser and sets `handler` to a function taking the parsed
arguments and returning an exit status. They are found by listing the package, so adding a
command is adding a module.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from dam_desktop import __version__
from dam_desktop.cli import commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dam-desktop",
        description="Browse, tag and search large libraries of images and sounds. "
        "Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"dam-desktop {__version__}")
    parser.add_argument(
        "--library",
        metavar="PATH",
        help="library folder to use (default: $DAM_DESKTOP_LIBRARY or the platform data folder)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, qt_args = parser.parse_known_args(argv)
    if args.command is None:
        from dam_desktop.app import run_gui

        return run_gui(args.library, qt_args)
    if qt_args:
        parser.error(f"unrecognized arguments: {' '.join(qt_args)}")
    handler = args.handler
    status: int = handler(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
