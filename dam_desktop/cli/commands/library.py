"""`dam-desktop library copy SRC DEST [--store PATH]`: copy a whole library between a folder
(SQLite) and a shared library's PostgreSQL database, either way.

SRC and DEST are each a library folder or a postgresql:// URL. A folder DEST must be new or empty;
a server DEST must be an empty database (`createdb NAME`). Everything is copied, embeddings and
fingerprints included, and checked: the row count and a checksum of every table must match the
source's, or nothing is kept. The stored files follow: into DEST's folder, or into the shared
store named by --store (hard links on the same file system, copies otherwise). Naming the source
folder itself as --store shares it instead of copying.

Exits 0 when the copy is whole and checks out, 1 when it could not be made.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from dam_desktop.cli.common import EXIT_OK, ProgressLine, UsageError, guarded
from dam_desktop.core.library_location import is_server_url
from dam_desktop.use_cases.library_copy import LibraryCopyReport, copy_library

PHASES = {"copying": "copying rows", "checking": "checking the copy", "store": "linking stored files"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "library",
        help="copy a whole library between a folder and a PostgreSQL server",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="library_action", metavar="ACTION", required=True)
    copy = actions.add_parser(
        "copy",
        help="copy SRC to DEST (each a library folder or a postgresql:// URL), verified",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    copy.add_argument("source", metavar="SRC", help="the library to copy: a folder or a postgresql:// URL")
    copy.add_argument(
        "destination", metavar="DEST", help="a new folder, or an empty PostgreSQL database's URL"
    )
    copy.add_argument(
        "--store",
        dest="copy_store",
        metavar="PATH",
        type=Path,
        help="the shared library's store folder as this computer mounts it (needed when DEST is a new "
        "server library; the source folder itself shares its files instead of copying them)",
    )
    copy.set_defaults(handler=guarded(run_copy))


def _target(text: str) -> Path | str:
    if not text.strip():
        raise UsageError("an empty library name: give a folder or a postgresql:// URL")
    return text.strip() if is_server_url(text) else Path(text).expanduser()


def run_copy(args: argparse.Namespace) -> int:
    source, destination = _target(args.source), _target(args.destination)
    if source == destination:
        raise UsageError("SRC and DEST are the same library")
    store = args.copy_store or (Path(args.store) if getattr(args, "store", None) else None)
    line = ProgressLine(sys.stderr)

    def progress(phase: str, done: int, total: int | None) -> None:
        label = PHASES.get(phase, phase)
        if total:
            line.show(f"{label}: {done:,} of {total:,} rows ({done / total:.0%})", done / total)
        else:
            line.show(f"{label}: {done:,}", None)

    try:
        report = asyncio.run(copy_library(source, destination, store=store, progress=progress))
    finally:
        line.finish()
    for text in summary(report):
        print(text)
    return EXIT_OK


def summary(report: LibraryCopyReport) -> list[str]:
    lines = [
        f"copied {report.source} to {report.destination}: {report.rows:,} rows in {len(report.tables)} "
        f"tables in {report.seconds:.1f} s",
        f"verified: every table's row count and checksum match the source's ({len(report.tables)} tables)",
    ]
    if report.store is None:
        lines.append(f"store: shared with the source at {report.store_root} (nothing copied)")
    else:
        store = report.store
        lines.append(
            f"store: {report.store_root}: {store.linked} files linked, {store.copied} copied, "
            f"{store.already_there} already there"
        )
    if report.missing_files:
        lines.append(
            f"note: {report.missing_files} stored files the library names are missing from its store "
            "(run `dam-desktop check` on the source to see which)"
        )
    return lines
