"""`dam-desktop export ID... --to FOLDER` (or `--query QUERY`): copy assets' files into a folder.

Copies keep their original names and never overwrite: a second "a.png" is written as
"a (2).png". Prints each written file on stdout, then a summary; an asset whose file cannot be
read is named on stderr and makes the exit status 1. A bad query or a destination that is not a
folder exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
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
from dam_desktop.use_cases.assets import ExportOutcome, export, export_query
from dam_desktop.use_cases.search import query_syntax_error


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("export", help="copy assets' files into a folder, under their names")
    parser.add_argument("ids", nargs="*", type=int, metavar="ID", help="the assets to export")
    parser.add_argument("--query", metavar="QUERY", help="export every asset matching this tag query")
    parser.add_argument("--to", required=True, metavar="FOLDER", help="the folder to write the copies into")
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    safe_streams()
    if bool(args.ids) == (args.query is not None):
        return fail("give either asset ids or --query QUERY", EXIT_USAGE)
    if not args.to.strip():
        return fail("--to is empty: name a folder", EXIT_USAGE)
    folder = Path(args.to).expanduser().absolute()
    if not folder.is_dir():
        return fail(f"not a folder: {folder}", EXIT_USAGE)
    if args.query is not None and (error := query_syntax_error(args.query)) is not None:
        raise error
    outcome: ExportOutcome
    if args.query is not None:
        outcome = run_with_world(args, lambda world: export_query(world, args.query, folder), Access.READ)
    else:
        outcome = run_with_world(args, lambda world: export(world, args.ids, folder), Access.READ)
    sys.stdout.write("".join(f"{path}\n" for path in outcome.written))
    print(f"exported {len(outcome.written)} file{'s' if len(outcome.written) != 1 else ''} to {folder}")
    for entity_id, reason in outcome.unreadable.items():
        print(f"dam-desktop: cannot export {entity_id}: {reason}", file=sys.stderr)
    if outcome.unknown:
        print("dam-desktop: no asset with id " + ", ".join(map(str, outcome.unknown)), file=sys.stderr)
    return EXIT_FAILURE if outcome.unreadable or outcome.unknown else EXIT_OK
