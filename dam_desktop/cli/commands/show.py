"""`dam-desktop show ID` or `show --sha256 HEX`: an asset's components, one block per component, as text.

A library whose schema is current is read with plain sqlite3 (`use_cases.quick_reads`), like
`list`; any other, or one with component tables only the models describe, through the world.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from dam_desktop.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    Access,
    fail,
    guarded,
    library_target,
    run_with_world,
    safe_streams,
)
from dam_desktop.use_cases import quick_reads
from dam_desktop.use_cases.quick_reads import EntityDump, parse_sha256
from dam_desktop.utils.display_text import display_path

if TYPE_CHECKING:
    from dam_desktop.core.library import LibraryPaths
    from dam_desktop.core.world import World

T = TypeVar("T")


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


def _lines(dump: EntityDump | None) -> list[str] | None:
    if dump is None:
        return None
    entity_id = dump.entity_id
    lines = [f"entity {entity_id}  added {format_value('created_at', dump.created_at)}"]
    for component in dump.components:
        lines.append(component.name)
        width = max((len(column) for column, _ in component.values), default=0)
        lines.extend(
            f"  {column:<{width}}  {format_value(column, value)}" for column, value in component.values
        )
    return lines


async def _describe(world: World, entity_id: int) -> list[str] | None:
    from dam_desktop.use_cases.assets import describe_asset

    return _lines(await describe_asset(world, entity_id))


async def _describe_by_hash(world: World, digest: bytes) -> list[str] | None:
    from dam_desktop.use_cases.assets import find_by_sha256

    found = await find_by_sha256(world, digest)
    return await _describe(world, found[0]) if found else None


class _NoQuickRead(Exception):
    pass


def _quickly(args: argparse.Namespace, read: Callable[[LibraryPaths], T]) -> T:
    """`read` with plain sqlite3; _NoQuickRead when the world must read instead."""
    target = library_target(args)
    paths = None if isinstance(target, str) else quick_reads.readable_library(target)
    if paths is None:
        raise _NoQuickRead  # a shared library (its server answers through the world), or an old one
    try:
        return read(paths)
    except (sqlite3.Error, quick_reads.NeedsTheWorld):
        raise _NoQuickRead from None  # the world reads it, or says in words what is wrong


def _quick_lines(paths: LibraryPaths, entity_id: int | None, digest: bytes | None) -> list[str] | None:
    if digest is not None:
        found = quick_reads.find_by_sha256(paths, digest)
        if not found:
            return None
        entity_id = found[0]
    assert entity_id is not None
    return _lines(quick_reads.describe_asset(paths, entity_id))


def run(args: argparse.Namespace) -> int:
    safe_streams()
    if (args.entity_id is None) == (args.sha256 is None):
        return fail("give either an asset id or --sha256 HEX", EXIT_USAGE)
    digest = None
    if args.sha256 is not None:
        try:
            digest = parse_sha256(args.sha256)
        except ValueError as exc:
            return fail(str(exc), EXIT_USAGE)
    try:
        lines = _quickly(args, lambda paths: _quick_lines(paths, args.entity_id, digest))
    except _NoQuickRead:
        if digest is not None:
            lines = run_with_world(args, lambda world: _describe_by_hash(world, digest), Access.READ)
        else:
            lines = run_with_world(args, lambda world: _describe(world, args.entity_id), Access.READ)
    if lines is None:
        if digest is not None:
            return fail(f"no asset with SHA-256 {digest.hex()}", EXIT_FAILURE)
        return fail(f"no asset with id {args.entity_id}", EXIT_FAILURE)
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK
