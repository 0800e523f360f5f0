"""`dam-desktop list`: one asset per line, tab-separated: entity id, type, original filename.

The same format as `search`, so the output of either pipes into `cut`, `grep` or a spreadsheet.
Tabs and line breaks inside a file name are written as `\\t`, `\\n` and `\\r`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dam_desktop.cli.common import EXIT_OK, Access, guarded, run_with_world, safe_streams, tab_line
from dam_desktop.core.world import World
from dam_desktop.use_cases.library import iter_assets


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("list", help="list the library's assets: id, type and file name")
    parser.add_argument("--type", choices=("image", "audio", "other"), help="only assets of this type")
    parser.add_argument("--trash", action="store_true", help="list the assets in the trash instead")
    parser.set_defaults(handler=guarded(run))


async def _print_assets(world: World, asset_type: str | None, trashed: bool) -> int:
    count = 0
    async for rows in iter_assets(world, asset_type, trashed=trashed):
        sys.stdout.write("".join(tab_line(*row) + "\n" for row in rows))
        count += len(rows)
    return count


def run(args: argparse.Namespace) -> int:
    safe_streams()
    run_with_world(args, lambda world: _print_assets(world, args.type, args.trash), Access.READ)
    return EXIT_OK
