"""`dam-desktop info`: where the library is, its schema revision and what it holds."""

from __future__ import annotations

import argparse
from typing import Any

from dam_desktop.cli.common import EXIT_OK, Access, guarded, run_with_world
from dam_desktop.core.migrations import current_revision
from dam_desktop.core.world import World
from dam_desktop.services import ecs_service


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("info", help="show the library's location, schema and size")
    parser.set_defaults(handler=guarded(run))


async def _collect(world: World) -> dict[str, str]:
    async with world.session() as session:
        entities = await ecs_service.count_entities(session)
    return {
        "library": str(world.paths.root),
        "database": str(world.paths.db_path),
        "schema": current_revision(world.paths.db_path) or "none",
        "entities": str(entities),
    }


def run(args: argparse.Namespace) -> int:
    facts = run_with_world(args, _collect, Access.READ)
    width = max(len(k) for k in facts)
    for key, value in facts.items():
        print(f"{key:<{width}}  {value}")
    return EXIT_OK
