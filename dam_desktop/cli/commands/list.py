"""`dam-desktop list`: one asset per line, tab-separated: entity id, type, original filename.

The same format as `search`, so the output of either pipes into `cut`, `grep` or a spreadsheet.
Tabs and line breaks inside a file name are written as `\\t`, `\\n` and `\\r`.

A library whose schema is current is read with plain sqlite3 (`use_cases.quick_reads`): no world,
no SQLAlchemy, so the command starts in a fraction of the time. Any other library goes through
the world, which upgrades it or says in words what is wrong.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from typing import TYPE_CHECKING, Any

from dam_desktop.cli.arguments import add_sort_options, positive_int
from dam_desktop.cli.common import (
    EXIT_OK,
    Access,
    guarded,
    library_target,
    run_with_world,
    safe_streams,
    tab_line,
)
from dam_desktop.services.search.sorting import SortKey

if TYPE_CHECKING:
    from dam_desktop.core.world import World


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("list", help="list the library's assets: id, type and file name")
    parser.add_argument("--type", choices=("image", "audio", "other"), help="only assets of this type")
    parser.add_argument("--trash", action="store_true", help="list the assets in the trash instead")
    parser.add_argument(
        "--limit", type=positive_int, default=None, metavar="N", help="print at most N assets"
    )
    add_sort_options(
        parser, "order (default: added, oldest first); assets lacking the value (a sound's size) come last"
    )
    parser.set_defaults(handler=guarded(run))


def _order(args: argparse.Namespace) -> tuple[SortKey, bool]:
    """The listing's order: by id (oldest first) unless told; a chosen order in its natural
    direction (newest, largest, best rated first; names A to Z) unless told."""
    sort = SortKey(args.sort)
    if args.descending is not None:
        return sort, bool(args.descending)
    return sort, sort is not SortKey.ADDED and sort.default_descending


def _write(rows: list[tuple[int, str, str]]) -> None:
    sys.stdout.write("".join(tab_line(*row) + "\n" for row in rows))


async def _print_assets(world: World, args: argparse.Namespace) -> int:
    from dam_desktop.use_cases.library import iter_assets

    count = 0
    sort, descending = _order(args)
    async for rows in iter_assets(world, args.type, trashed=args.trash, sort=sort, descending=descending):
        rows = rows if args.limit is None else rows[: args.limit - count]
        _write(rows)
        count += len(rows)
        if args.limit is not None and count >= args.limit:
            break
    return count


def _print_quickly(args: argparse.Namespace) -> bool:
    """The listing read with plain sqlite3; False when the world must read it instead."""
    from dam_desktop.use_cases.quick_reads import asset_rows, readable_library

    target = library_target(args)
    if isinstance(target, str):
        return False  # a shared library: its server answers through the world
    paths = readable_library(target)
    if paths is None:
        return False
    sort, descending = _order(args)
    batches = asset_rows(
        paths, args.type, trashed=args.trash, limit=args.limit, sort=sort, descending=descending
    )
    try:
        first = next(batches, [])
    except sqlite3.Error:
        return False  # nothing written yet: the world says what is wrong with the file, in words
    _write(first)
    for rows in batches:
        _write(rows)
    return True


def run(args: argparse.Namespace) -> int:
    safe_streams()
    if not _print_quickly(args):
        run_with_world(args, lambda world: _print_assets(world, args), Access.READ)
    return EXIT_OK
