"""`dam-desktop show ID` or `show --sha256 HEX`: an asset's components, one block per component, as text."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from dam_desktop.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    Access,
    fail,
    guarded,
    run_with_world,
    safe_streams,
)
from dam_desktop.core.world import World
from dam_desktop.use_cases.assets import describe_asset, find_by_sha256, parse_sha256
from dam_desktop.utils.media_utils import display_path


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("show", help="show everything the library knows about one asset")
    parser.add_argument(
        "entity_id", type=int, nargs="?", metavar="ID", help="the asset's id, as `list` prints it"
    )
    parser.add_argument("--sha256", metavar="HEX", help="find the asset by the SHA-256 of its content")
    parser.set_defaults(handler=guarded(run))


HEX_INTEGERS = frozenset({"phash", "dhash"})  # 64-bit hashes read best as 16 hex digits


def format_value(name: str, value: Any) -> str:
    if value is None:
        return "-"
    if name in HEX_INTEGERS and isinstance(value, int):
        return f"{value & 0xFFFFFFFFFFFFFFFF:016x}"
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, str):
        return display_path(value)
    return str(value)


async def _describe(world: World, entity_id: int) -> list[str] | None:
    dump = await describe_asset(world, entity_id)
    if dump is None:
        return None
    lines = [f"entity {entity_id}  added {format_value('created_at', dump.created_at)}"]
    for component in dump.components:
        lines.append(component.name)
        width = max((len(column) for column, _ in component.values), default=0)
        lines.extend(
            f"  {column:<{width}}  {format_value(column, value)}" for column, value in component.values
        )
    return lines


async def _describe_by_hash(world: World, digest: bytes) -> list[str] | None:
    found = await find_by_sha256(world, digest)
    return await _describe(world, found[0]) if found else None


def run(args: argparse.Namespace) -> int:
    safe_streams()
    if (args.entity_id is None) == (args.sha256 is None):
        return fail("give either an asset id or --sha256 HEX", EXIT_USAGE)
    if args.sha256 is not None:
        try:
            digest = parse_sha256(args.sha256)
        except ValueError as exc:
            return fail(str(exc), EXIT_USAGE)
        lines = run_with_world(args, lambda world: _describe_by_hash(world, digest), Access.READ)
        if lines is None:
            return fail(f"no asset with SHA-256 {digest.hex()}", EXIT_FAILURE)
    else:
        lines = run_with_world(args, lambda world: _describe(world, args.entity_id), Access.READ)
        if lines is None:
            return fail(f"no asset with id {args.entity_id}", EXIT_FAILURE)
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK
