"""WorldScheduler: the only thing that drains markers. It runs systems stage by stage (by priority:
thumbnails first, model work last) and dispatches events to their handlers.

Each batch a system drains gets its own session and transaction, committed by the scheduler when
the system returns, together with the marker bookkeeping: finished entities lose their marker,
failed ones keep it with one more attempt and the reason. A system that raises fails its batch
that way and the stage goes on with the next batch and the next system; one that raises
`SystemDeferred` (weights missing) leaves every marker untouched and is skipped for the rest of
the pass. After each committed batch the world is told what changed.

A stage never runs twice at once: a request while it runs is coalesced into one more pass after
the running one (a second drop during an import must not drain the same markers twice), and every
requester gets the merged report. Stages report progress to listeners, can be paused (a paused
stage does not start, a running one stops after its batch) and cancelled (the running pass stops
after its batch); markers not reached stay for the next run.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.errors import (
    DamError,
    DependencyResolutionError,
    SystemDeferred,
    SystemExecutionError,
)
from dam_desktop.core.events import BaseEvent, WorldChanged
from dam_desktop.core.injection import (
    DependencyKind,
    SystemResult,
    WorldContext,
    analyse_dependencies,
)
from dam_desktop.core.marker_ops import finish_markers, pending_marker_count
from dam_desktop.core.registered_systems import RegisteredSystem, SystemFunc, check_resolvable
from dam_desktop.core.stage_reports import StageProgress, StageReport, SystemRunReport
from dam_desktop.core.stages import STAGE_INFO, SystemStage
from dam_desktop.core.systems import get_system_metadata
from dam_desktop.models.core.entity import Entity
from dam_desktop.models.core.markers import BaseMarker

if TYPE_CHECKING:
    from dam_desktop.core.world import World

log = logging.getLogger(__name__)

ProgressListener = Callable[[StageProgress], None]


class _Pass:
    """Progress of one pass over a stage, told to the listeners after each batch."""

    def __init__(self, scheduler: WorldScheduler, stage: SystemStage, total: int) -> None:
        self.scheduler = scheduler
        self.stage = stage
        self.total = total
        self.done = 0
        self.notes: list[str] = []
        self.failure = ""
        self.failed = 0

    def tell(self, running: bool = True) -> None:
        self.total = max(self.total, self.done)
        note = " ".join(self.notes)
        self.scheduler.emit_progress(
            StageProgress(self.stage, self.done, self.total, running, note, self.failure, self.failed)
        )


class _StageRun:
    """The running pass of a stage, and whether someone asked for another one meanwhile."""

    def __init__(self) -> None:
        self.task: asyncio.Task[StageReport] | None = None
        self.again = False
        self.cancel_generation = 0


class WorldScheduler:
    def __init__(self, world: World) -> None:
        self._world = world
        self._stage_systems: dict[SystemStage, list[RegisteredSystem]] = defaultdict(list)
        self._event_handlers: dict[type[BaseEvent], list[RegisteredSystem]] = defaultdict(list)
        self._runs: dict[SystemStage, _StageRun] = defaultdict(_StageRun)
        self._paused: set[SystemStage] = set()
        self._progress_listeners: list[ProgressListener] = []
        self._closed = False
        self._batch_sizes: dict[SystemStage, int] = {}

    # registration ---------------------------------------------------------------------------------

    def register(self, func: SystemFunc) -> RegisteredSystem:
        name = f"{func.__module__}.{func.__qualname__}"
        metadata = get_system_metadata(func)
        if metadata is None:
            raise DependencyResolutionError(
                name, "-", "function is not decorated with @system or @listens_for"
            )
        deps = analyse_dependencies(func)
        check_resolvable(self._world, name, metadata, deps)
        registered = RegisteredSystem(func=func, name=name, metadata=metadata, dependencies=deps)
        if metadata.stage is not None:
            if any(s.func is func for s in self._stage_systems[metadata.stage]):
                return registered
            self._stage_systems[metadata.stage].append(registered)
        elif metadata.event_type is not None:
            if any(s.func is func for s in self._event_handlers[metadata.event_type]):
                return registered
            self._event_handlers[metadata.event_type].append(registered)
        return registered

    def systems_for_stage(self, stage: SystemStage) -> list[RegisteredSystem]:
        return list(self._stage_systems.get(stage, []))

    @property
    def stages(self) -> list[SystemStage]:
        """The stages that have systems, in the order they run."""
        return sorted(stage for stage, systems in self._stage_systems.items() if systems)

    # control ----------------------------------------------------------------------------------------

    def add_progress_listener(self, listener: ProgressListener) -> Callable[[], None]:
        """Call `listener` (on the world's loop) with each stage's progress; returns its remover."""
        self._progress_listeners.append(listener)
        return lambda: (
            self._progress_listeners.remove(listener) if listener in self._progress_listeners else None
        )

    def emit_progress(self, progress: StageProgress) -> None:
        for listener in list(self._progress_listeners):
            try:
                listener(progress)
            except Exception:  # a broken display must not stop the pipeline
                log.exception("a progress listener failed")

    def pause(self, *stages: SystemStage) -> None:
        """Stop these stages after their current batch and start them no more until resumed."""
        self._paused.update(stages)

    def resume(self, *stages: SystemStage) -> None:
        self._paused.difference_update(stages)

    def is_paused(self, stage: SystemStage) -> bool:
        return stage in self._paused

    def set_batch_size(self, stage: SystemStage, size: int) -> None:
        """Hand this stage's systems at most `size` entities per batch (per transaction)."""
        self._batch_sizes[stage] = max(1, int(size))

    def cancel(self, *stages: SystemStage) -> None:
        """Stop the running pass of these stages (all, when none named) after its current batch."""
        for stage in stages or tuple(self._runs):
            self._runs[stage].cancel_generation += 1
            self._runs[stage].again = False

    def is_running(self, stage: SystemStage) -> bool:
        task = self._runs[stage].task if stage in self._runs else None
        return task is not None and not task.done()

    async def pending_count(self, stage: SystemStage) -> int:
        """Entities waiting for this stage's systems that can run here (not failed too often)."""
        markers = {s.marker for s in self._runnable(stage) if s.marker is not None}
        async with self._world.session() as session:
            return sum([await pending_marker_count(session, marker) for marker in markers])

    def _runnable(self, stage: SystemStage) -> list[RegisteredSystem]:
        return [s for s in self.systems_for_stage(stage) if not s.missing_modules]

    # running ----------------------------------------------------------------------------------------

    async def execute_stage(self, stage: SystemStage) -> StageReport:
        """Run the stage until its markers are drained (or it is paused or cancelled).

        While the stage runs, another request makes it run one more pass after this one, and
        waits for that pass rather than starting a second, concurrent one.
        """
        if self._closed:
            return StageReport(stage=stage, cancelled=True)
        run = self._runs[stage]
        if run.task is not None and not run.task.done():
            run.again = True
            return await asyncio.shield(run.task)
        run.again = False
        run.task = asyncio.ensure_future(self._passes(stage, run))
        return await run.task

    async def close(self) -> None:
        """Stop every running stage (its open batch rolls back) and start none again: the world is
        closing, and its engine must not be disposed under a transaction."""
        self._closed = True
        tasks = [run.task for run in self._runs.values() if run.task is not None and not run.task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def run_all_stages(self, stages: list[SystemStage] | None = None) -> list[StageReport]:
        """Every stage (or those named) in priority order."""
        chosen = self.stages if stages is None else sorted(stages)
        return [await self.execute_stage(stage) for stage in chosen]

    async def _passes(self, stage: SystemStage, run: _StageRun) -> StageReport:
        report = StageReport(stage=stage)
        while True:
            run.again = False
            report.merge(await self._pass(stage, run))
            if not run.again or report.paused or report.cancelled:
                return report

    def _stopped(self, stage: SystemStage, run: _StageRun, generation: int, report: StageReport) -> bool:
        report.paused = stage in self._paused
        report.cancelled = run.cancel_generation != generation
        return report.paused or report.cancelled

    async def _pass(self, stage: SystemStage, run: _StageRun) -> StageReport:
        report = StageReport(stage=stage)
        generation = run.cancel_generation
        if self._stopped(stage, run, generation, report):
            return report
        systems = self.systems_for_stage(stage)
        for registered in systems:
            if missing := registered.missing_modules:
                report.systems[registered.name] = SystemRunReport(
                    skipped=f"{STAGE_INFO[stage].label} needs {', '.join(missing)}, not installed here"
                )
        progress = _Pass(self, stage, await self.pending_count(stage))
        progress.tell()
        for registered in self._runnable(stage):
            if self._stopped(stage, run, generation, report):
                break
            report.systems[registered.name] = await self._run_system(
                registered, progress, lambda: self._stopped(stage, run, generation, report)
            )
        progress.tell(running=False)
        return report

    async def _run_system(
        self, registered: RegisteredSystem, progress: _Pass, stopped: Callable[[], bool]
    ) -> SystemRunReport:
        marker = registered.marker
        if marker is not None:
            return await self._drain_marker(registered, marker, progress, stopped)
        try:
            async with self._world.session() as session:
                result = await self._call(registered, session, {})
                await session.commit()
        except SystemDeferred as exc:
            return SystemRunReport(deferred=exc.reason)
        except SystemExecutionError as exc:
            return SystemRunReport(error=str(exc))
        if isinstance(result, SystemResult) and result.changed is not None:
            self._world.notify_changed(WorldChanged.of(result.changed, _changes(registered, progress.stage)))
        return SystemRunReport()

    async def _drain_marker(
        self,
        registered: RegisteredSystem,
        marker: type[BaseMarker],
        progress: _Pass,
        stopped: Callable[[], bool],
    ) -> SystemRunReport:
        report = SystemRunReport()
        changes = _changes(registered, progress.stage)
        last_id = 0
        while not stopped():
            async with self._world.session() as session:
                # Driven by the marker's own index: ordered by `Entity.id`, SQLite walked the
                # entities from `last_id` and probed the marker for each, a million rows per batch
                # at 1M assets (37 ms, and 30 MB of page cache to find 2,000 new imports' markers).
                stmt = (
                    select(Entity)
                    .join(marker, marker.entity_id == Entity.id)
                    .where(marker.attempts < marker.MAX_ATTEMPTS, marker.entity_id > last_id)
                    .order_by(marker.entity_id)
                    .limit(self._batch_sizes.get(progress.stage, registered.metadata.batch_size))
                )
                if self._world.is_shared:
                    # Workstations share the work: each claims a batch no one else holds, and
                    # holds it until its batch commits (SQLite has one writer and no such clause).
                    stmt = stmt.with_for_update(of=marker, skip_locked=True)
                entities = list((await session.scalars(stmt)).all())
                if not entities or stopped():  # a pause or cancel may have come during the read
                    break
                ids = [e.id for e in entities]
                last_id = ids[-1]
                try:
                    result = await self._call(registered, session, {"entities": entities})
                except SystemDeferred as exc:
                    await session.rollback()
                    report.deferred = exc.reason
                    progress.notes.append(exc.reason)
                    # What this system left waits for the reason to go; the bar should still end.
                    progress.total -= await pending_marker_count(session, marker)
                    break
                except SystemExecutionError as exc:
                    await session.rollback()
                    failed = dict.fromkeys(ids, f"{type(exc.cause).__name__}: {exc.cause}")
                    progress.failure, progress.failed = str(exc.cause), progress.failed + len(ids)
                else:
                    failed = dict(result.failed) if isinstance(result, SystemResult) else {}
                await finish_markers(session, marker, ids, failed)
                await session.commit()
            report.finished += len(ids) - len(failed)
            report.failed.update(failed)
            finished = [i for i in ids if i not in failed]
            if finished:
                self._world.notify_changed(WorldChanged.of(finished, changes))
            progress.done += len(ids)
            progress.tell()
        return report

    async def _call(self, registered: RegisteredSystem, session: AsyncSession, extra: dict[str, Any]) -> Any:
        kwargs = self._build_kwargs(
            registered, session, entities=extra.get("entities"), event=extra.get("event")
        )
        try:
            return await registered.func(**kwargs)
        except SystemDeferred:
            raise
        except DamError as exc:  # raised on purpose, with a reason for people: no traceback
            log.warning("system %s failed: %s", registered.name, exc)
            raise SystemExecutionError(registered.name, exc) from exc
        except Exception as exc:
            log.exception("system %s failed", registered.name)
            raise SystemExecutionError(registered.name, exc) from exc

    def _build_kwargs(
        self,
        registered: RegisteredSystem,
        session: AsyncSession,
        entities: list[Entity] | None = None,
        event: BaseEvent | None = None,
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        for dep in registered.dependencies:
            if dep.kind == DependencyKind.SESSION:
                kwargs[dep.name] = session
            elif dep.kind == DependencyKind.RESOURCE:
                kwargs[dep.name] = self._world.resources.get(dep.target)
            elif dep.kind == DependencyKind.MARKED_ENTITIES:
                kwargs[dep.name] = entities if entities is not None else []
            elif dep.kind == DependencyKind.CONTEXT:
                kwargs[dep.name] = WorldContext(
                    session=session, world_name=self._world.name, world_config=self._world.config
                )
            elif dep.kind == DependencyKind.EVENT:
                kwargs[dep.name] = event
        return kwargs

    async def dispatch_event(self, event: BaseEvent) -> list[Any]:
        """Run every handler of the event's type (and its base types); return their results in order."""
        results: list[Any] = []
        for event_type, handlers in list(self._event_handlers.items()):
            if not isinstance(event, event_type):
                continue
            for registered in handlers:
                async with self._world.session() as session:
                    results.append(await self._call(registered, session, {"event": event}))
                    await session.commit()
        return results


def _changes(registered: RegisteredSystem, stage: SystemStage) -> str:
    """The component a system's finished work is announced as: its own, else its stage's."""
    return registered.metadata.changes or STAGE_INFO[stage].changes
