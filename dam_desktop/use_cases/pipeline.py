"""The marker pipeline as use cases: run its stages to completion (the CLI's `process`, a view's
"run now"), and keep it running in the background while the window is open.

Every way in goes through the world's `WorldScheduler`, the only thing that drains markers, so a
stage never runs twice at once: a request while it runs becomes one more pass after it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dam_desktop.core.events import WorldChanged
from dam_desktop.core.stage_reports import StageProgress, StageReport
from dam_desktop.core.stages import MODEL_STAGES, STAGE_INFO, SystemStage
from dam_desktop.core.world import World

log = logging.getLogger(__name__)

ProgressListener = Callable[[StageProgress], None]

# What the pipeline's own batches announce: a change made only of these adds no work.
PIPELINE_OUTPUTS = frozenset(info.changes for info in STAGE_INFO.values()) - {"asset"}


@dataclass(frozen=True)
class StageOutcome:
    """What one stage did, as plain values for the window and the CLI."""

    stage: SystemStage
    done: int  # entities finished
    failed: dict[int, str]  # entity id -> why (their markers keep an attempt and the reason)
    notes: tuple[str, ...]  # why some work waits (weights missing) or was skipped (not installed)
    remaining: int  # still waiting for this stage
    paused: bool
    cancelled: bool

    @property
    def name(self) -> str:
        return STAGE_INFO[self.stage].name

    @property
    def label(self) -> str:
        return STAGE_INFO[self.stage].label


async def _outcome(world: World, report: StageReport) -> StageOutcome:
    return StageOutcome(
        stage=report.stage,
        done=report.finished,
        failed=report.failed,
        notes=tuple(report.notes),
        remaining=await world.scheduler.pending_count(report.stage),
        paused=report.paused,
        cancelled=report.cancelled,
    )


async def run_stages(
    world: World,
    stages: Sequence[SystemStage] | None = None,
    *,
    on_progress: ProgressListener | None = None,
) -> list[StageOutcome]:
    """Run these stages (every stage when None) in priority order until their markers are drained,
    or they are paused or cancelled. `on_progress` is called on the world's loop after each batch."""
    remove = world.scheduler.add_progress_listener(on_progress) if on_progress else None
    try:
        outcomes = []
        for stage in world.scheduler.stages if stages is None else sorted(stages):
            outcomes.append(await _outcome(world, await world.scheduler.execute_stage(stage)))
            if outcomes[-1].cancelled:
                break
        return outcomes
    finally:
        if remove is not None:
            remove()


async def write_tag_words(world: World) -> None:
    """Write the words of the tag links edits listed (a shared library's words stage; nothing
    elsewhere): what a process that edited tags and runs no background pipeline (the CLI) does
    before it ends, so that a bare word finds what it tagged."""
    if SystemStage.SEARCH_WORDS in world.scheduler.stages:
        await world.scheduler.execute_stage(SystemStage.SEARCH_WORDS)


async def cancel_stages(world: World, stages: Sequence[SystemStage] = ()) -> None:
    """Stop the running passes of these stages (all when none named) after their current batch."""
    world.scheduler.cancel(*stages)


class BackgroundWork:
    """Keeps the pipeline draining on the world's loop while markers wait.

    It runs every stage in priority order, then rests until a change adds work (an import, a tag
    edit whose trigger marks the text embedding stale) or `wake()` is called. Changes the pipeline
    itself announces do not wake it, so it never spins on markers it has just failed or deferred.
    """

    def __init__(self, world: World) -> None:
        self.world = world
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._remove_listener: Callable[[], None] | None = None

    def start(self) -> None:
        if self._remove_listener is None:
            self._remove_listener = self.world.add_change_listener(self._on_change)
        self.wake()

    def _on_change(self, change: WorldChanged) -> None:
        own = change.components <= PIPELINE_OUTPUTS
        if change.added or change.everything or not own:
            self.wake()

    def wake(self) -> None:
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._task = asyncio.ensure_future(self._run())

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        while True:
            self._again = False
            for stage in self.world.scheduler.stages:
                if self.world.damage.damaged:
                    return  # read-only from now on (core.database_health): every write would fail
                if self.world.scheduler.is_paused(stage):
                    continue
                try:
                    await self.world.scheduler.execute_stage(stage)
                except Exception:  # the scheduler records failures; this is a bug, not bad input
                    log.exception("background stage %s failed", STAGE_INFO[stage].name)
            if not self._again:
                return

    def set_model_work_paused(self, paused: bool) -> None:
        if paused:
            self.world.scheduler.pause(*MODEL_STAGES)
        else:
            self.world.scheduler.resume(*MODEL_STAGES)
            self.wake()

    async def stop(self) -> None:
        if self._remove_listener is not None:
            self._remove_listener()
            self._remove_listener = None
        if self._task is not None and not self._task.done():
            self.world.scheduler.cancel()
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


def _background(world: World) -> BackgroundWork:
    if not world.resources.has(BackgroundWork):
        world.resources.add(BackgroundWork(world))
    work: BackgroundWork = world.resources.get(BackgroundWork)
    return work


async def start_background_work(
    world: World, on_progress: ProgressListener, *, model_work_paused: bool
) -> Callable[[], None]:
    """Start draining in the background; `on_progress` hears every stage's progress. Returns the
    remover of that listener."""
    work = _background(world)
    work.set_model_work_paused(model_work_paused)
    remove = world.scheduler.add_progress_listener(on_progress)
    work.start()
    return remove


async def set_model_work_paused(world: World, paused: bool) -> None:
    """Pause (after the current batch) or resume the stages that run neural models."""
    _background(world).set_model_work_paused(paused)


async def wake_background_work(world: World) -> None:
    """Run the pipeline now (it also wakes by itself after each change that adds work)."""
    _background(world).wake()


async def stop_background_work(world: World) -> None:
    await _background(world).stop()
