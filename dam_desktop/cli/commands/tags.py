"""`dam-desktop tags`: every tag with the number of assets carrying it, most used first.

One tag per line, tab-separated: use count, tag name. `--sort name` lists them by name.
"""

from __future__ import annotations

import argparse
from typing import Any

from dam_desktop.cli.common import EXIT_OK, Access, guarded, run_with_world, safe_streams
from dam_desktop.core.world import World
from dam_desktop.services.tags.tag_types import TagInfo
from dam_desktop.use_cases import tags as tag_cases


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("tags", help="list tags with how many assets carry each")
    parser.add_argument("--sort", choices=("count", "name"), default="count", help="order (default: count)")
    parser.add_argument("--prefix", help="only tags whose name starts with this")
    parser.add_argument("--unused", action="store_true", help="also list tags no asset carries")
    parser.set_defaults(handler=guarded(run))


async def _list(world: World, args: argparse.Namespace) -> list[TagInfo]:
    return await tag_cases.list_tags(world, order=args.sort, prefix=args.prefix)


def run(args: argparse.Namespace) -> int:
    safe_streams()
    for tag in run_with_world(args, lambda world: _list(world, args), Access.READ):
        if tag.use_count > 0 or args.unused:
            print(f"{tag.use_count}\t{tag.name}")
    return EXIT_OK
