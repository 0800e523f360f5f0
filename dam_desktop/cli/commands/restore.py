"""`dam-desktop restore ID...`: put trashed assets back in the library, with their stored copies.
`dam-desktop restore --backup SRC`: bring back a backup written by `backup` (see `commands.backup`).

`restore` brings something back from a source: the library's trash unless another source's option
is given. Each other source (a backup, say) adds its option in its own function called from
`register` and an entry in `SOURCES`, so `run` stays a plain dispatch.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from dam_desktop.cli.commands.backup import add_restore_backup_option, run_restore_backup
from dam_desktop.cli.commands.trash import add_id_arguments, report
from dam_desktop.cli.common import EXIT_USAGE, fail, guarded, run_with_world, safe_streams
from dam_desktop.use_cases.trash import restore_from_trash

RestoreHandler = Callable[[argparse.Namespace], int]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "restore",
        help="put trashed assets back in the library, or bring back a backup (--backup)",
        description="Put assets from the library's trash back in the library (`list --trash` lists them), "
        "or, with --backup, bring back a backup folder written by `backup`.",
    )
    add_id_arguments(parser, "the trashed assets to put back", required=False)
    add_restore_backup_option(parser)
    parser.set_defaults(handler=guarded(run))


def run_from_trash(args: argparse.Namespace) -> int:
    if not args.ids:
        return fail("name the trashed assets to restore by id (`list --trash` lists them)", EXIT_USAGE)
    outcome = run_with_world(args, lambda world: restore_from_trash(world, args.ids))
    return report(outcome, "restored {}", "not in the trash")


# (the option's argparse dest, its handler): the first whose option was given runs.
SOURCES: list[tuple[str, RestoreHandler]] = [("backup", run_restore_backup)]


def run(args: argparse.Namespace) -> int:
    safe_streams()
    for dest, handler in SOURCES:
        if getattr(args, dest, None) is not None:
            return handler(args)
    return run_from_trash(args)
