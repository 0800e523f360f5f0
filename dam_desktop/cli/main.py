"""The headless commands of `dam-desktop` (`dam_desktop.launch.main` sends a command line here
when it names one, and opens the window otherwise).

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


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of `dam-desktop`. Only `command`'s module is imported and registers its full
    parser; the others are listed with their help line (`commands.COMMANDS`). None: all of them."""
    parser = argparse.ArgumentParser(
        prog="dam-desktop",
        description="Browse, tag and search large libraries of images and sounds. "
        "Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"dam-desktop {__version__}")
    parser.add_argument(
        "--library",
        metavar="PATH",
        help="library folder to use (default: $DAM_DESKTOP_LIBRARY or the platform data folder), "
        "or a shared library's PostgreSQL URL (postgresql://user@host/database)",
    )
    parser.add_argument(
        "--store",
        metavar="PATH",
        help="a shared library's store folder as this computer mounts it (needed once, to create one)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_line in commands.COMMANDS.items():
        if command is None or name == command:
            importlib.import_module(commands.module_name(name)).register(subparsers)
        else:
            subparsers.add_parser(name, help=help_line)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command line (a command is required) at the error edge; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--library")
    pre.add_argument("--store")
    known, rest = pre.parse_known_args(args_list)
    if known.library is not None and not known.library.strip():
        # An empty value (an unset shell variable) must not quietly mean the default library.
        print("dam-desktop: --library is empty: name a library folder", file=sys.stderr)
        return 2
    chosen = rest[0] if rest and rest[0] in commands.COMMANDS else ""
    parser = build_parser(chosen)
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.error("no command given")
    from dam_desktop.cli.edge import run_at_edge  # after parsing: --version and --help never need it

    return run_at_edge(args.handler, args)


if __name__ == "__main__":
    sys.exit(main())
