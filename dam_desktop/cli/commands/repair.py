"""`dam-desktop repair`: rebuild a damaged library database, keeping every row still readable.

Needs the library closed everywhere (it takes the library's lock). Prints, per table that held
rows, how many were copied and how many were lost, then where the damaged original was kept.
Exits 0 when nothing was lost, 1 when rows were lost or the repair could not run.
"""

from __future__ import annotations

import argparse
from typing import Any

from dam_desktop.cli.common import EXIT_FAILURE, EXIT_OK, guarded, library_path, tab_line
from dam_desktop.core.errors import LibraryError
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.library_lock import LibraryLock
from dam_desktop.core.library_repair import RepairReport, TableRecovery, repair_database


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "repair",
        help="rebuild a damaged library database into a new file (the damaged one is kept)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    paths = LibraryPaths(library_path(args).resolve())
    if not paths.is_library():
        raise LibraryError(f"{paths.root} is not a dam-desktop library (no {paths.db_path.name})")
    lock = LibraryLock(paths.lock_path)
    lock.acquire()
    try:
        report = repair_database(paths.db_path)
    finally:
        lock.release()
    for line in report_lines(report):
        print(line)
    return EXIT_OK if report.lost_known == 0 and not report.unknown_losses else EXIT_FAILURE


def report_lines(report: RepairReport) -> list[str]:
    lines = [tab_line(t.table, t.copied - t.orphans_dropped, _lost(t)) for t in report.tables if _shown(t)]
    unknown = (
        f", and an unknown number from {', '.join(report.unknown_losses)}" if report.unknown_losses else ""
    )
    lines.append(f"repaired: {report.copied:,} rows kept, {report.lost_known:,} lost{unknown}")
    lines.append(f"the damaged original is kept as {report.damaged_copy}")
    return lines


def _shown(table: TableRecovery) -> bool:
    return table.copied > 0 or table.lost != 0 or table.orphans_dropped > 0


def _lost(table: TableRecovery) -> str:
    lost = "unknown" if table.lost is None else str(table.lost + table.orphans_dropped)
    return f"lost {lost}"
