"""`dam-desktop import PATH... [--mode copy|reference]`: import files and folders, with progress.

The progress bar goes to stderr (redrawn in place on a terminal, a line per tenth otherwise); the
summary and each failure with its reason go to stdout. Then, as in the window, the processing
stages run over what the import left waiting (thumbnails, fingerprints, embeddings, model tags;
see `process`), unless `--no-process` is given. Exits 1 when any file failed, 130 when
interrupted (Ctrl-C stops the import cleanly: files already stored stay imported).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from dam_desktop.cli.commands.process import StageProgressLine, print_outcomes, run_pipeline
from dam_desktop.cli.common import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    ProgressLine,
    guarded,
    run_cancellable,
    safe_streams,
)
from dam_desktop.core.world import World
from dam_desktop.use_cases.imports import CancelToken, ImportProgress, ImportReport, import_files

BAR_WIDTH = 30


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import image and sound files and folders (recursively) into the library",
        description="Import files and folders. Folders are walked recursively; hidden and system "
        "files inside them are left out. Files already in the library are not added again.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to import")
    parser.add_argument(
        "--mode",
        choices=("copy", "reference"),
        default="copy",
        help="copy: store a copy in the library (default); reference: index the files where they are",
    )
    parser.add_argument(
        "--include-hidden",
        action="store_true",
        help="also import hidden files and system files (Thumbs.db, .DS_Store, partial downloads, ...)",
    )
    parser.add_argument("--no-follow-symlinks", action="store_true", help="do not follow symbolic links")
    parser.add_argument(
        "--any-file",
        action="store_true",
        help="also import files that are no image, sound, video, PDF or font (archives, project "
        "files, ...) as generic assets; without it they are skipped and listed with the reason",
    )
    parser.add_argument(
        "--no-process",
        action="store_true",
        help="only import: leave fingerprints, embeddings and model tags for `dam-desktop process`",
    )
    parser.set_defaults(handler=guarded(run))


class ProgressBar(ProgressLine):
    """The import's progress as a plain-text bar on stderr."""

    def update(self, progress: ImportProgress) -> None:
        total = max(progress.total, 1)
        fraction = min(progress.done / total, 1.0)
        bar = "#" * int(fraction * BAR_WIDTH)
        self.show(
            f"importing {progress.done}/{progress.total} files [{bar:<{BAR_WIDTH}}] {fraction:4.0%}", fraction
        )


def print_report(report: ImportReport, out: TextIO) -> None:
    status = " (cancelled)" if report.cancelled else ""
    out.write(
        f"imported: {len(report.imported)}  duplicates: {report.duplicates}  "
        f"skipped: {len(report.skipped)}  failed: {len(report.failed)}  "
        f"(of {report.total_files} files){status}\n"
    )
    if report.repaired:
        out.write(f"repaired: {len(report.repaired)} damaged stored copies replaced by their originals\n")
    if report.stopped:
        out.write(f"stopped: {report.stopped}\n")
    if report.ignored:
        out.write(f"left out {report.ignored} hidden or system files (use --include-hidden to import them)\n")
    for title, entries in (("failed", report.failed), ("skipped", report.skipped)):
        if entries:
            out.write(f"{title}:\n")
            # By path: the workers finish in any order, and a listing should read the same each run.
            for entry in sorted(entries, key=lambda e: str(e.path)):
                out.write(f"  {entry.path}: {entry.reason}\n")


async def _import(
    world: World, args: argparse.Namespace, bar: ProgressBar, cancel: CancelToken
) -> ImportReport:
    return await import_files(
        world,
        args.paths,
        mode=args.mode,
        include_hidden=args.include_hidden,
        follow_symlinks=not args.no_follow_symlinks,
        any_file=args.any_file,
        on_progress=bar.update,
        cancel=cancel,
    )


async def _import_and_process(
    world: World, args: argparse.Namespace, bar: ProgressBar, cancel: CancelToken
) -> tuple[ImportReport, list[Any]]:
    report = await _import(world, args, bar, cancel)
    bar.finish()
    # A library that could not be written (report.stopped) is not asked for more writes.
    if report.cancelled or report.stopped or args.no_process:
        return report, []
    return report, await run_pipeline(world, None, StageProgressLine(sys.stderr))


def run(args: argparse.Namespace) -> int:
    from dam_desktop.use_cases.imports import prepare_decoders

    prepare_decoders()
    safe_streams()
    bar = ProgressBar(sys.stderr)
    report, outcomes = run_cancellable(
        args, lambda world, cancel: _import_and_process(world, args, bar, cancel), bar
    )
    print_report(report, sys.stdout)
    processed = print_outcomes(outcomes, sys.stdout, sys.stderr)
    if report.cancelled or processed == EXIT_INTERRUPTED:
        return EXIT_INTERRUPTED
    return EXIT_FAILURE if report.failed or report.stopped or processed != EXIT_OK else EXIT_OK
