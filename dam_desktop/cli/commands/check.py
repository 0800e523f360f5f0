"""`dam-desktop check [--verify] [--relink FOLDER]`: find moved, missing or damaged files, relink moved ones.

Looks at every file the library expects (trashed assets aside) and prints, on stdout, one
tab-separated line per missing or changed file: entity id, `missing` or `changed`, the path, the
reason; then a summary. With `--relink FOLDER` it then looks in FOLDER (recursively) for the
missing referenced files, matched by size and confirmed by sha256, prints a `relinked` line for
each one it links, and lists only what is still missing. With `--verify` every file of the right
size is also re-hashed (at most `--rate` MB/s) and one whose content is not what was imported is
`changed`: a damaged stored copy is repaired by importing its original again. Progress goes to
stderr.

Exits 0 when every file is where the library expects it (after relinking), 1 when something is
missing or changed, 2 when FOLDER is not a folder, 130 when interrupted (Ctrl-C stops cleanly;
what was checked or relinked stays recorded).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from dam_desktop.cli.common import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    ProgressLine,
    fail,
    guarded,
    run_cancellable,
    safe_streams,
    tab_line,
)
from dam_desktop.core.world import World
from dam_desktop.use_cases.locations import (
    DEFAULT_BYTES_PER_SECOND,
    PHASE_LOOKING,
    CancelToken,
    CheckProgress,
    CheckReport,
    LocationProblem,
    RelinkProgress,
    RelinkReport,
    check_files,
    relink_from_folder,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="find files that are missing or changed; with --relink, find moved ones in a folder",
        description="Check that every file the library expects is where it expects it, with the size "
        "it had when imported. Prints one line per missing or changed file: id, problem, path, reason.",
    )
    parser.add_argument(
        "--relink",
        metavar="FOLDER",
        help="look in FOLDER (recursively) for missing referenced files and point the library at them "
        "(matched by size, confirmed by SHA-256)",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="also re-hash every file and report those whose content changed (a damaged stored copy "
        "is repaired by importing its original again)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=DEFAULT_BYTES_PER_SECOND / 1e6,
        metavar="MB_PER_S",
        help="with --verify: read at most this many megabytes per second (0: no limit; default %(default)g)",
    )
    parser.set_defaults(handler=guarded(run))


class StatusLine(ProgressLine):
    """The check's and the relink's progress on stderr."""

    def checking(self, progress: CheckProgress) -> None:
        fraction = progress.done / progress.total if progress.total else 1.0
        self.show(f"checking {progress.done}/{progress.total} assets {fraction:4.0%}", fraction)

    def relinking(self, progress: RelinkProgress) -> None:
        if progress.phase == PHASE_LOOKING:
            self.show(f"looking through {progress.done} files", None)
            return
        fraction = progress.done / progress.total if progress.total else 1.0
        self.show(f"comparing {progress.done}/{progress.total} files of the right size", fraction)


def problem_line(problem: LocationProblem) -> str:
    still_opens = " (the asset still opens from another copy)" if problem.other_copy_present else ""
    reason = problem.reason + still_opens
    return tab_line(problem.entity_id, problem.problem, problem.path, reason)


@dataclass
class Outcome:
    check: CheckReport
    relink: RelinkReport | None = None

    def remaining(self) -> list[LocationProblem]:
        if self.relink is None:
            return self.check.problems
        fixed = {r.location_id for r in self.relink.relinked}
        fixed.update(p.location_id for p in self.relink.back_in_place)
        return [p for p in self.check.problems if p.location_id not in fixed]

    @property
    def cancelled(self) -> bool:
        return self.check.cancelled or (self.relink is not None and self.relink.cancelled)


def print_outcome(outcome: Outcome, out: TextIO) -> None:
    relink = outcome.relink
    if relink is not None:
        for moved in relink.relinked:
            out.write(tab_line(moved.entity_id, "relinked", moved.new_path, f"was {moved.old_path}") + "\n")
    remaining = outcome.remaining()
    for problem in remaining:
        out.write(problem_line(problem) + "\n")
    check = outcome.check
    missing = sum(1 for p in remaining if p.problem == "missing")
    changed = len(remaining) - missing
    note = " (cancelled)" if outcome.cancelled else ""
    out.write(
        f"checked: {check.assets_checked} assets ({check.locations_checked} files)  "
        f"missing: {missing}  changed: {changed}{note}\n"
    )
    if relink is not None:
        lost_copies = sum(1 for p in relink.not_relinkable if p.problem == "missing")
        out.write(
            f"relinked: {len(relink.relinked)} from {relink.folder}  "
            f"not found there: {len(relink.not_found)}  "
            f"lost stored copies (import the originals again to restore them): {lost_copies}\n"
        )


async def _check(
    world: World, folder: Path | None, status: StatusLine, cancel: CancelToken, verify_rate: int | None
) -> Outcome:
    outcome = Outcome(
        await check_files(
            world,
            verify=verify_rate is not None,
            verify_bytes_per_second=verify_rate or 0,
            on_progress=status.checking,
            cancel=cancel,
        )
    )
    status.finish()
    if folder is not None and not cancel.cancelled and outcome.check.problems:
        outcome.relink = await relink_from_folder(
            world, folder, outcome.check.problems, on_progress=status.relinking, cancel=cancel
        )
    return outcome


def run(args: argparse.Namespace) -> int:
    safe_streams()
    folder = Path(args.relink).expanduser() if args.relink else None
    if folder is not None and not folder.is_dir():
        return fail(f"not a folder: {folder}", EXIT_USAGE)
    if args.rate < 0:
        return fail("--rate must be 0 (no limit) or more", EXIT_USAGE)
    verify_rate = int(args.rate * 1e6) if args.verify else None
    status = StatusLine(sys.stderr)
    outcome = run_cancellable(
        args, lambda world, cancel: _check(world, folder, status, cancel, verify_rate), status
    )
    print_outcome(outcome, sys.stdout)
    if outcome.cancelled:
        return EXIT_INTERRUPTED
    return EXIT_FAILURE if outcome.remaining() else EXIT_OK
