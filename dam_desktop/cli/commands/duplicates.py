"""`dam-desktop duplicates [--type image|audio] [--threshold N] [--resolve keep-best]`.

Prints the groups of near-duplicates, one asset per line (group number, id, width×height or
sample rate×channels, size in bytes, extension, date added, file name; tab-separated), the one
keep-best would keep first in each group. `--resolve keep-best` then keeps that one, gives it the
others' tags and moves the others to the trash; `dam-desktop restore ID...` brings them back.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dam_desktop.cli.common import (
    EXIT_OK,
    Access,
    UsageError,
    guarded,
    run_with_world,
    safe_streams,
    tab_line,
)
from dam_desktop.core.world import World
from dam_desktop.use_cases.duplicates import DuplicateGroup, find_duplicates, resolve_keep_best


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("duplicates", help="find near-duplicate images or sounds")
    parser.add_argument("--type", choices=("image", "audio"), default="image", dest="kind")
    parser.add_argument(
        "--threshold",
        type=int,
        metavar="N",
        help="images: pHash bits that may differ (0-32, default 12; each pair is confirmed by the "
        "images' wavelet signatures); "
        "sounds: hundredths the fingerprint cosine may fall below 1 (default 3)",
    )
    parser.add_argument(
        "--resolve", choices=("keep-best",), help="keep the best of each group, trash the rest"
    )
    parser.set_defaults(handler=guarded(run))


def _print(groups: list[DuplicateGroup]) -> None:
    for number, group in enumerate(groups, start=1):
        for m in group.members:
            print(
                tab_line(
                    number,
                    m.entity_id,
                    f"{m.width}x{m.height}",
                    m.size_bytes,
                    m.extension,
                    m.added.strftime("%Y-%m-%d %H:%M"),
                    m.filename,
                )
            )


def run(args: argparse.Namespace) -> int:
    safe_streams()
    if args.threshold is not None and not 0 <= args.threshold <= 32:
        raise UsageError(f"--threshold {args.threshold}: give a number from 0 to 32")
    access = Access.WRITE if args.resolve else Access.READ

    async def action(world: World) -> tuple[list[DuplicateGroup], list[int]]:
        groups = await find_duplicates(world, args.kind, args.threshold)
        if not args.resolve or not groups:
            return groups, []
        return groups, (await resolve_keep_best(world, groups)).trashed

    groups, trashed = run_with_world(args, action, access)
    _print(groups)
    noun = "images" if args.kind == "image" else "sounds"
    print(f"{len(groups)} groups of near-duplicate {noun}", file=sys.stderr)
    if trashed:
        undo = " ".join(map(str, trashed))
        print(
            f"kept {len(groups)}, moved {len(trashed)} to the trash; undo: dam-desktop restore {undo}",
            file=sys.stderr,
        )
    return EXIT_OK
