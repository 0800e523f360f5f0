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


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command line (a command is required) at the error edge; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--library")
    known, _rest = pre.parse_known_args(args_list)
    if known.library is not None and not known.library.strip():
        # An empty value (an unset shell variable) must not quietly mean the default library.
        print("dam-desktop: --library is empty: name a library folder", file=sys.stderr)
        return 2
    from dam_desktop.cli.edge import run_at_edge

    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.error("no command given")
    return run_at_edge(args.handler, args)


if __name__ == "__main__":
    sys.exit(main())
