"""`dam-desktop empty-trash [ID...] --yes`: delete trashed assets for good.

All of the trash, or only the given trashed assets. Their stored copies and thumbnails are
deleted; referenced files stay where the user keeps them. This cannot be undone, so it asks on a
terminal and needs `--yes` anywhere else (a script must say it means it).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dam_desktop.cli.commands.trash import add_id_arguments, report
from dam_desktop.cli.common import EXIT_FAILURE, EXIT_USAGE, fail, guarded, run_with_world, safe_streams
from dam_desktop.use_cases.trash import delete_for_good


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("empty-trash", help="delete the assets in the trash for good")
    add_id_arguments(parser, "only these trashed assets (default: the whole trash)", required=False)
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(handler=guarded(run))


def _confirmed(args: argparse.Namespace) -> bool | None:
    """True to go on, False when the user said no, None when nobody can be asked."""
    if args.yes:
        return True
    if not sys.stdin.isatty():
        return None
    what = f"the {len(args.ids)} given trashed assets" if args.ids else "every asset in the trash"
    answer = input(f"Delete {what} permanently? This cannot be undone. [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def run(args: argparse.Namespace) -> int:
    safe_streams()
    confirmed = _confirmed(args)
    if confirmed is None:
        return fail("empty-trash deletes for good: add --yes to confirm", EXIT_USAGE)
    if not confirmed:
        return fail("nothing deleted", EXIT_FAILURE)
    outcome = run_with_world(args, lambda world: delete_for_good(world, args.ids or None))
    return report(outcome, "deleted {} permanently", "not in the trash (use `trash` first)")
