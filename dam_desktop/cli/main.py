"""Entry point of `dam-desktop`.

Subcommands live one per module in `dam_desktop.cli.commands`; each module has
`register(subparsers)` that adds its parser and sets `handler` to a function taking the parsed
arguments and returning an exit status. They are found by listing the package, so adding a
command is adding a module.
"""

from __future__ import annotations

import argparse
import importlib
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
    import pkgutil  # here, not at the top: the window's start-up path never lists commands

    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{module_info.name}")
        module.register(subparsers)
    return parser


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
    args_list = list(sys.argv[1:] if argv is None else argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--library")
    known, qt_args = pre.parse_known_args(args_list)
    if known.library is not None and not known.library.strip():
        # An empty value (an unset shell variable) must not quietly mean the default library.
        print("dam-desktop: --library is empty: name a library folder", file=sys.stderr)
        return 2
    if wants_gui(args_list):
        from dam_desktop.launch import start_gui

        return start_gui(known.library, qt_args)
    from dam_desktop.cli.edge import run_at_edge

    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.error("no command given")
    return run_at_edge(args.handler, args)


if __name__ == "__main__":
    sys.exit(main())
