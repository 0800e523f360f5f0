"""`dam-desktop process [--stage NAME]`: run the marker pipeline to completion, with progress.

The same stages the window runs in the background, in the same order (thumbnails, sound
fingerprints, text embeddings, image embeddings, model tags), through the same scheduler. Progress
goes to stderr, a summary line per stage to stdout. Stages whose model is missing (weights not
imported) or not installed (the lite package) are reported and leave their work waiting. Exits 1
when an asset failed, 130 when interrupted: Ctrl-C stops after the current batch, and everything
committed before stays.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from dam_desktop.cli.common import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    ProgressLine,
    guarded,
    interrupt_calls,
    run_with_world,
    safe_streams,
)
from dam_desktop.core.stages import STAGE_INFO, SystemStage, stage_named

BAR_WIDTH = 30
MAX_FAILURES_LISTED = 20


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "process",
        help="make thumbnails, fingerprints, embeddings and model tags for everything waiting",
        description="Run the processing stages the window runs in the background, to completion: "
        "thumbnails, sound fingerprints, text embeddings, image embeddings and model tags "
        "(where the model's weights are installed).",
    )
    parser.add_argument(
        "--stage",
        action="append",
        choices=[info.name for info in STAGE_INFO.values()],
        metavar="NAME",
        help="run only this stage (may be given more than once): "
        + ", ".join(info.name for info in STAGE_INFO.values()),
    )
    parser.set_defaults(handler=guarded(run))


class StageProgressLine(ProgressLine):
    """One stage's progress as a bar; a new line when the stage changes."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.stage: SystemStage | None = None

    def update(self, progress: Any) -> None:
        if progress.total == 0:
            return
        if progress.stage != self.stage:
            self.finish()
            self.stage = progress.stage
        fraction = min(progress.done / progress.total, 1.0)
        bar = "#" * int(fraction * BAR_WIDTH)
        self.show(
            f"{progress.label.lower()} {progress.done}/{progress.total} [{bar:<{BAR_WIDTH}}] {fraction:4.0%}",
            fraction,
        )


async def run_pipeline(
    world: Any, stages: Sequence[SystemStage] | None, line: StageProgressLine
) -> list[Any]:
    """Run the stages with progress on `line`; Ctrl-C cancels them after the current batch."""
    from dam_desktop.use_cases import pipeline

    interrupted = asyncio.Event()

    def interrupt() -> None:
        interrupted.set()
        world.scheduler.cancel()

    try:
        with interrupt_calls(interrupt):
            outcomes: list[Any] = []
            for stage in world.scheduler.stages if stages is None else sorted(stages):
                if interrupted.is_set():
                    break
                outcomes += await pipeline.run_stages(world, [stage], on_progress=line.update)
            return outcomes
    finally:
        line.finish()


def print_outcomes(outcomes: Sequence[Any], out: TextIO, err: TextIO) -> int:
    """A line per stage on `out`, notes and failures on `err`; returns the exit status."""
    failed = False
    shown = [o for o in outcomes if o.done or o.failed or o.remaining or o.notes or o.cancelled or o.paused]
    if outcomes and not shown:
        out.write("nothing waiting to be processed\n")
    for outcome in shown:
        state = " (stopped)" if outcome.cancelled else " (paused)" if outcome.paused else ""
        out.write(
            f"{outcome.name}: {outcome.done} done  failed: {len(outcome.failed)}  "
            f"waiting: {outcome.remaining}{state}\n"
        )
        for note in outcome.notes:
            err.write(f"dam-desktop: {outcome.name}: {note}\n")
        for entity_id, reason in list(outcome.failed.items())[:MAX_FAILURES_LISTED]:
            err.write(f"  asset {entity_id}: {reason}\n")
        if len(outcome.failed) > MAX_FAILURES_LISTED:
            err.write(f"  … and {len(outcome.failed) - MAX_FAILURES_LISTED} more\n")
        failed = failed or bool(outcome.failed)
    if any(outcome.cancelled for outcome in outcomes):
        return EXIT_INTERRUPTED
    return EXIT_FAILURE if failed else EXIT_OK


def run(args: argparse.Namespace) -> int:
    from dam_desktop.use_cases.imports import prepare_decoders

    prepare_decoders()
    safe_streams()
    stages = [stage_named(name) for name in args.stage] if args.stage else None
    line = StageProgressLine(sys.stderr)
    outcomes = run_with_world(args, lambda world: run_pipeline(world, stages, line))
    return print_outcomes(outcomes, sys.stdout, sys.stderr)
