"""`dam-desktop xmp write [QUERY] [--dry-run]`: the library's tags, rating and label into `.xmp`
sidecars that digiKam, darktable and Lightroom read.

Writes for every asset, or those matching QUERY (a tag query, as for `search`). A referenced
original gets `name.ext.xmp` beside it; an asset only in the library's store gets one in the
library's `sidecars` folder. Originals are never modified; an existing sidecar keeps everything
else it holds.

Prints one tab-separated line per sidecar written (or, with `--dry-run`, that would be written):
entity id, `written` / `would write`, the sidecar's path, what changes; then a summary. A sidecar
that could not be written is named on stderr with the reason (exit status 1). A bad query exits
with status 2; Ctrl-C stops after the current batch (exit status 130).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dam_desktop.cli.commands.search import QueryArgumentParser
from dam_desktop.cli.common import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    ProgressLine,
    guarded,
    run_cancellable,
    safe_streams,
    tab_line,
)
from dam_desktop.core.world import World
from dam_desktop.use_cases.search import query_syntax_error
from dam_desktop.use_cases.sidecars import (
    FAILED,
    UNCHANGED,
    CancelToken,
    SidecarProgress,
    SidecarReport,
    matching_ids,
    write_sidecars,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "xmp",
        help="write the library's tags, rating and label to .xmp sidecars",
        description="XMP sidecars for other applications (digiKam, darktable, Lightroom).",
    )
    # A query may start with "-" (`xmp write -draft`), as for `search`.
    actions = parser.add_subparsers(
        dest="xmp_action", metavar="ACTION", required=True, parser_class=QueryArgumentParser
    )
    write = actions.add_parser(
        "write",
        help="write tags (dc:subject, lr:hierarchicalSubject), rating and label to sidecars",
        description="Write each asset's tags, rating and colour label to its .xmp sidecar: beside a "
        "referenced original as NAME.EXT.xmp, in the library's sidecars folder for a stored copy. "
        "Originals are never modified.",
    )
    write.add_argument("query", nargs="*", metavar="QUERY", help="a tag query (default: every asset)")
    write.add_argument("--dry-run", action="store_true", help="list what would be written; write nothing")
    write.set_defaults(handler=guarded(run))


class StatusLine(ProgressLine):
    def writing(self, progress: SidecarProgress) -> None:
        fraction = progress.done / progress.total if progress.total else 1.0
        self.show(f"sidecars for {progress.done}/{progress.total} assets {fraction:4.0%}", fraction)


async def _write(
    world: World, query: str, dry_run: bool, status: StatusLine, cancel: CancelToken
) -> SidecarReport:
    ids = await matching_ids(world, query)
    return await write_sidecars(world, ids, dry_run=dry_run, on_progress=status.writing, cancel=cancel)


def run(args: argparse.Namespace) -> int:
    safe_streams()
    query = " ".join(args.query)
    if (error := query_syntax_error(query)) is not None and query.strip():
        raise error
    status = StatusLine(sys.stderr)
    report = run_cancellable(
        args, lambda world, cancel: _write(world, query, args.dry_run, status, cancel), status
    )
    for result in report.results:
        if result.status not in (FAILED, UNCHANGED):
            sys.stdout.write(tab_line(result.entity_id, result.status, result.path, result.detail) + "\n")
    for result in report.failed:
        print(f"dam-desktop: cannot write {result.path}: {result.detail}", file=sys.stderr)
    print(report.summary())
    if report.cancelled:
        return EXIT_INTERRUPTED
    return EXIT_FAILURE if report.failed else EXIT_OK
