"""`dam-desktop backup DEST [--with-store]`: a consistent copy of the library, while it stays open.

Writes DEST/dam.sqlite3 through SQLite's online backup API (the database as of one moment, even
while the window or an import writes to it) and, with `--with-store`, the stored files under
DEST/files and DEST/trash (hard links on the same file system, copies otherwise). Thumbnails are
made again from the files. `dam-desktop restore --backup DEST` brings a backup back.

Exits 0 when the backup is whole, 1 when it could not be written or stored files were missing.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dam_desktop.cli.common import EXIT_FAILURE, EXIT_OK, guarded, library_path
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.library_backup import BackupReport, RestoreReport, backup_library, restore_library


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "backup",
        help="write a consistent copy of the library to a folder (the window may stay open)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "destination", metavar="DEST", type=Path, help="the backup folder (created if needed)"
    )
    parser.add_argument("--with-store", action="store_true", help="also back up the stored files")
    parser.set_defaults(handler=guarded(run))


def run(args: argparse.Namespace) -> int:
    paths = LibraryPaths(library_path(args).resolve())
    report = backup_library(paths, args.destination, with_store=args.with_store)
    print(backup_summary(report))
    if report.missing_files:
        print(
            f"dam-desktop: {report.missing_files} stored files the library names were not found in "
            f"{paths.files_dir}; run `dam-desktop check` to see which"
        )
        return EXIT_FAILURE
    return EXIT_OK


def backup_summary(report: BackupReport) -> str:
    text = f"backed up the database ({report.database_bytes / 1e6:.1f} MB) to {report.destination}"
    if report.store is not None:
        store = report.store
        text += (
            f"; stored files: {store.linked} linked, {store.copied} copied, "
            f"{store.already_there} already there"
        )
    return f"{text} in {report.seconds:.1f} s"


def add_restore_backup_option(parser: argparse.ArgumentParser) -> None:
    """`restore --backup SRC`: the restore command's backup source (see `restore.SOURCES`)."""
    parser.add_argument(
        "--backup",
        metavar="SRC",
        type=Path,
        help="bring back a backup folder written by `backup` (or a backed-up dam.sqlite3); the library "
        "must be closed, and the database it replaces is kept beside it",
    )


def run_restore_backup(args: argparse.Namespace) -> int:
    paths = LibraryPaths(library_path(args).resolve())
    report = restore_library(args.backup, paths)
    print(restore_summary(report))
    return EXIT_OK


def restore_summary(report: RestoreReport) -> str:
    text = f"restored the library at {report.library}"
    if report.store is not None:
        text += f" ({report.store.linked + report.store.copied} stored files brought back)"
    if report.replaced is not None:
        text += f"; the database it replaced is kept as {report.replaced}"
    return text
