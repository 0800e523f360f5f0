"""WorldScheduler: runs systems stage by stage and dispatches events to their handlers.

Each call of a system gets its own session and transaction, committed by the scheduler when the
system returns, so the work of earlier systems and stages stays when a later one fails. For
marker-draining systems the scheduler, not the system, removes the markers of finished entities
in that same transaction, and records why the others failed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.errors import DependencyResolutionError, SystemExecutionError
from dam_desktop.core.events import BaseEvent
from dam_desktop.core.injection import (
    Dependency,
    DependencyKind,
    SystemResult,
    WorldContext,
    analyse_dependencies,
)
from dam_desktop.core.marker_ops import finish_markers
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.systems import SystemMetadata, get_system_metadata
from dam_desktop.models.core.entity import Entity
from dam_desktop.models.core.markers import BaseMarker

if TYPE_CHECKING:
    from dam_desktop.core.world import World

log = logging.getLogger(__name__)

SystemFunc = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class RegisteredSystem:
    func: SystemFunc
    name: str
    metadata: SystemMetadata
    dependencies: tuple[Dependency, ...]

    @property
    def marker(self) -> type[BaseMarker] | None:
        for dep in self.dependencies:
            if dep.kind == DependencyKind.MARKED_ENTITIES:
                marker: type[BaseMarker] = dep.target
                return marker
        return None


@dataclass
class SystemRunReport:
    finished: int = 0
    failed: dict[int, str] = field(default_factory=dict)


@dataclass
class StageReport:
    stage: SystemStage
    systems: dict[str, SystemRunReport] = field(default_factory=dict)

    @property
    def failed(self) -> dict[int, str]:
        merged: dict[int, str] = {}
        for report in self.systems.values():
            merged.update(report.failed)
        return merged


class WorldScheduler:
    def __init__(self, world: World) -> None:
        self._world = world
        self._stage_systems: dict[SystemStage, list[RegisteredSystem]] = defaultdict(list)
        self._event_handlers: dict[type[BaseEvent], list[RegisteredSystem]] = defaultdict(list)

    def register(self, func: SystemFunc) -> RegisteredSystem:
        name = f"{func.__module__}.{func.__qualname__}"
        metadata = get_system_metadata(func)
        if metadata is None:
            raise DependencyResolutionError(
                name, "-", "function is not decorated with @system or @listens_for"
            )
        deps = analyse_dependencies(func)
        self._check_resolvable(name, metadata, deps)
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

    def _check_resolvable(self, name: str, metadata: SystemMetadata, deps: tuple[Dependency, ...]) -> None:
        markers = [d for d in deps if d.kind == DependencyKind.MARKED_ENTITIES]
        if len(markers) > 1:
            raise DependencyResolutionError(name, markers[1].name, "a system may drain only one marker")
        for dep in deps:
            if dep.kind == DependencyKind.RESOURCE and not self._world.resources.has(dep.target):
                raise DependencyResolutionError(
                    name,
                    dep.name,
                    f"no resource of type {dep.target.__qualname__} in world '{self._world.name}'",
                )
            if dep.kind == DependencyKind.EVENT:
                if metadata.event_type is None:
                    raise DependencyResolutionError(
                        name, dep.name, "only @listens_for handlers receive events"
                    )
                if not issubclass(metadata.event_type, dep.target):
                    raise DependencyResolutionError(
                        name,
                        dep.name,
                        f"handler listens for {metadata.event_type.__name__} "
                        f"but the parameter wants {dep.target.__name__}",
                    )
            if dep.kind == DependencyKind.MARKED_ENTITIES and metadata.stage is None:
                raise DependencyResolutionError(name, dep.name, "event handlers cannot drain markers")

    def systems_for_stage(self, stage: SystemStage) -> list[RegisteredSystem]:
        return list(self._stage_systems.get(stage, []))

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

    async def execute_stage(self, stage: SystemStage) -> StageReport:
        report = StageReport(stage=stage)
        for registered in self.systems_for_stage(stage):
            report.systems[registered.name] = await self._run_system(registered)
        return report

    async def run_all_stages(self) -> list[StageReport]:
        return [await self.execute_stage(stage) for stage in sorted(self._stage_systems)]

    async def _run_system(self, registered: RegisteredSystem) -> SystemRunReport:
        marker = registered.marker
        if marker is None:
            async with self._world.session() as session:
                await self._call(registered, session, {})
                await session.commit()
            return SystemRunReport()
        return await self._drain_marker(registered, marker)

    async def _drain_marker(self, registered: RegisteredSystem, marker: type[BaseMarker]) -> SystemRunReport:
        report = SystemRunReport()
        seen: set[int] = set()
        while True:
            async with self._world.session() as session:
                stmt = (
                    select(Entity)
                    .join(marker, marker.entity_id == Entity.id)
                    .where(marker.attempts < marker.MAX_ATTEMPTS)
                    .order_by(Entity.id)
                    .limit(registered.metadata.batch_size)
                )
                if seen:
                    stmt = stmt.where(Entity.id > max(seen))
                entities = list((await session.scalars(stmt)).all())
                if not entities:
                    return report
                ids = [e.id for e in entities]
                seen.update(ids)
                try:
                    result = await self._call(registered, session, {"entities": entities})
                except SystemExecutionError as exc:
                    await session.rollback()
                    await self._record_failures(marker, dict.fromkeys(ids, str(exc.cause)))
                    raise
                failed = result.failed if isinstance(result, SystemResult) else {}
                await finish_markers(session, marker, ids, failed)
                await session.commit()
                report.finished += len(ids) - len(failed)
                report.failed.update(failed)

    async def _call(self, registered: RegisteredSystem, session: AsyncSession, extra: dict[str, Any]) -> Any:
        kwargs = self._build_kwargs(
            registered, session, entities=extra.get("entities"), event=extra.get("event")
        )
        try:
            return await registered.func(**kwargs)
        except Exception as exc:
            log.exception("system %s failed", registered.name)
            raise SystemExecutionError(registered.name, exc) from exc

    async def _record_failures(self, marker: type[BaseMarker], failed: dict[int, str]) -> None:
        async with self._world.session() as session:
            await finish_markers(session, marker, list(failed), failed)
            await session.commit()

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
