"""`dam-desktop info`: where the library is, its schema revision and what it holds."""

from __future__ import annotations

import argparse
from typing import Any

from dam_desktop.cli.common import EXIT_OK, Access, guarded, run_with_world
from dam_desktop.use_cases.library import library_facts


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("info", help="show the library's location, schema and size")
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    facts = run_with_world(args, library_facts, Access.READ)
    lines = {
        "library": str(facts.root),
        "database": str(facts.database),
        "schema": facts.schema,
        "entities": str(facts.entities),
    }
    width = max(len(k) for k in lines)
    for key, value in lines.items():
        print(f"{key:<{width}}  {value}")
    return EXIT_OK
