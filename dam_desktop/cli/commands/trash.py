"""`dam-desktop trash ID...`: remove assets from the library into its trash.

Stored copies move to the library's trash, from which `restore ID...` brings them back and
`empty-trash` deletes them for good; referenced files stay where they are. Ids that name no asset
are reported on stderr (the others are still moved) and make the exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dam_desktop.cli.common import EXIT_FAILURE, EXIT_OK, guarded, run_with_world, safe_streams
from dam_desktop.use_cases.trash import TrashOutcome, move_to_trash


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("trash", help="remove assets from the library into its trash")
    add_id_arguments(parser, "the assets to remove, as `list` prints their ids")
    parser.set_defaults(handler=guarded(run))


def add_id_arguments(parser: argparse.ArgumentParser, help_text: str, *, required: bool = True) -> None:
    parser.add_argument("ids", nargs="+" if required else "*", type=int, metavar="ID", help=help_text)


def plural(count: int, one: str = "asset", many: str = "assets") -> str:
    return f"{count:,} {one if count == 1 else many}"


def report(outcome: TrashOutcome, done: str, unchanged: str) -> int:
    """Print what was done on stdout, what was not on stderr; the exit status."""
    copies = plural(outcome.files, "stored copy", "stored copies")
    print(f"{done.format(plural(len(outcome.entity_ids)))} ({copies})")
    if outcome.unchanged:
        print(f"dam-desktop: {unchanged}: " + ", ".join(map(str, outcome.unchanged)), file=sys.stderr)
    for refused in outcome.refused:
        print(f"dam-desktop: left alone: {refused}", file=sys.stderr)
    if outcome.unknown:
        print("dam-desktop: no asset with id " + ", ".join(map(str, outcome.unknown)), file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_FAILURE if outcome.refused else EXIT_OK


def run(args: argparse.Namespace) -> int:
    safe_streams()
    outcome = run_with_world(args, lambda world: move_to_trash(world, args.ids))
    return report(outcome, "moved {} to the trash", "already in the trash")
