"""The ECS kernel: dependency injection, stage order, error wrapping, markers and event results."""

from __future__ import annotations

from typing import Annotated

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core import (
    DependencyResolutionError,
    MarkedEntityList,
    Resource,
    SystemResult,
    SystemStage,
    World,
    WorldContext,
    WorldSession,
    listens_for,
    system,
)
from dam_desktop.core.world import WorldConfig
from dam_desktop.services import ecs_service
from tests.kernel_fixtures import (
    EchoQuery,
    Greeting,
    NeedsProcessingMarker,
    NoteComponent,
    make_marked_entities,
)


async def _notes(world: World) -> list[tuple[int, str]]:
    async with world.session() as session:
        rows = await session.execute(
            select(NoteComponent.entity_id, NoteComponent.text).order_by(NoteComponent.id)
        )
        return [(r[0], r[1]) for r in rows]


async def _marked_ids(world: World) -> dict[int, tuple[int, str | None]]:
    async with world.session() as session:
        rows = await session.execute(
            select(
                NeedsProcessingMarker.entity_id,
                NeedsProcessingMarker.attempts,
                NeedsProcessingMarker.last_error,
            )
        )
        return {r[0]: (r[1], r[2]) for r in rows}


async def test_each_injection_kind_reaches_the_system(kernel_world: World) -> None:
    kernel_world.resources.add(Greeting("hello"))
    ids = await make_marked_entities(kernel_world, 3)
    seen: dict[str, object] = {}

    @system(stage=SystemStage.METADATA_EXTRACTION)
    async def annotate(
        session: WorldSession,
        greeting: Resource[Greeting],
        entities: MarkedEntityList[NeedsProcessingMarker],
        context: WorldContext,
    ) -> None:
        seen["session"] = isinstance(session, AsyncSession)
        seen["context_world"] = context.world_name
        seen["config"] = context.world_config
        for entity in entities:
            await ecs_service.add_component_to_entity(session, entity.id, NoteComponent(text=greeting.text))

    kernel_world.register_system(annotate)
    report = await kernel_world.execute_stage(SystemStage.METADATA_EXTRACTION)

    assert seen["session"] is True
    assert seen["context_world"] == kernel_world.name
    assert isinstance(seen["config"], WorldConfig)
    assert await _notes(kernel_world) == [(i, "hello") for i in ids]
    assert await _marked_ids(kernel_world) == {}
    assert next(iter(report.systems.values())).finished == 3


async def test_marker_list_comes_in_batches_until_drained(kernel_world: World) -> None:
    await make_marked_entities(kernel_world, 7)
    batch_sizes: list[int] = []

    @system(stage=SystemStage.METADATA_EXTRACTION, batch_size=3)
    async def count_batches(entities: MarkedEntityList[NeedsProcessingMarker]) -> None:
        batch_sizes.append(len(entities))

    kernel_world.register_system(count_batches)
    await kernel_world.execute_stage(SystemStage.METADATA_EXTRACTION)
    assert batch_sizes == [3, 3, 1]
    assert await _marked_ids(kernel_world) == {}


async def test_stages_run_in_order_whatever_the_registration_order(kernel_world: World) -> None:
    order: list[str] = []

    @system(stage=SystemStage.POST_PROCESSING)
    async def last(session: WorldSession) -> None:
        order.append("post")

    @system(stage=SystemStage.METADATA_EXTRACTION)
    async def first(session: WorldSession) -> None:
        order.append("metadata")

    @system(stage=SystemStage.THUMBNAIL_GENERATION)
    async def middle(session: WorldSession) -> None:
        order.append("thumbnails")

    for func in (last, first, middle):
        kernel_world.register_system(func)
    await kernel_world.run_all_stages()
    assert order == ["metadata", "thumbnails", "post"]


async def test_a_failing_system_is_named_in_its_report_and_earlier_work_stays(kernel_world: World) -> None:
    ids = await make_marked_entities(kernel_world, 2)

    @system(stage=SystemStage.METADATA_EXTRACTION)
    async def writes_notes(session: WorldSession, entities: MarkedEntityList[NeedsProcessingMarker]) -> None:
        for entity in entities:
            await ecs_service.add_component_to_entity(session, entity.id, NoteComponent(text="kept"))

    @system(stage=SystemStage.THUMBNAIL_GENERATION)
    async def explodes(session: WorldSession) -> None:
        await ecs_service.add_component_to_entity(session, ids[0], NoteComponent(text="rolled back"))
        raise ValueError("disk on fire")

    kernel_world.register_system(writes_notes)
    kernel_world.register_system(explodes)
    metadata, thumbnails = await kernel_world.run_all_stages()

    [error] = [r.error for r in thumbnails.systems.values()]
    assert error is not None and "explodes" in error and "ValueError: disk on fire" in error
    assert metadata.finished == 2
    assert await _notes(kernel_world) == [(ids[0], "kept"), (ids[1], "kept")]


async def test_only_finished_entities_lose_their_marker(kernel_world: World) -> None:
    ids = await make_marked_entities(kernel_world, 4)
    bad = ids[1]

    @system(stage=SystemStage.METADATA_EXTRACTION)
    async def partly_fails(
        session: WorldSession, entities: MarkedEntityList[NeedsProcessingMarker]
    ) -> SystemResult:
        for entity in entities:
            if entity.id != bad:
                await ecs_service.add_component_to_entity(session, entity.id, NoteComponent(text="ok"))
        return SystemResult(failed={bad: "corrupt header"})

    kernel_world.register_system(partly_fails)
    report = await kernel_world.execute_stage(SystemStage.METADATA_EXTRACTION)

    assert await _marked_ids(kernel_world) == {bad: (1, "corrupt header")}
    assert report.failed == {bad: "corrupt header"}
    assert [eid for eid, _ in await _notes(kernel_world)] == [i for i in ids if i != bad]


async def test_a_raising_drain_keeps_every_marker_and_records_why(kernel_world: World) -> None:
    ids = await make_marked_entities(kernel_world, 2)

    @system(stage=SystemStage.METADATA_EXTRACTION)
    async def always_raises(entities: MarkedEntityList[NeedsProcessingMarker]) -> None:
        raise RuntimeError("model crashed")

    kernel_world.register_system(always_raises)
    report = await kernel_world.execute_stage(SystemStage.METADATA_EXTRACTION)
    assert report.failed == {i: "RuntimeError: model crashed" for i in ids}
    assert await _marked_ids(kernel_world) == {i: (1, "RuntimeError: model crashed") for i in ids}


async def test_entities_that_keep_failing_stop_being_retried(kernel_world: World) -> None:
    [only] = await make_marked_entities(kernel_world, 1)
    calls: list[int] = []

    @system(stage=SystemStage.METADATA_EXTRACTION)
    async def never_works(entities: MarkedEntityList[NeedsProcessingMarker]) -> SystemResult:
        calls.append(len(entities))
        return SystemResult(failed={e.id: "unreadable" for e in entities})

    kernel_world.register_system(never_works)
    for _ in range(NeedsProcessingMarker.MAX_ATTEMPTS + 2):
        await kernel_world.execute_stage(SystemStage.METADATA_EXTRACTION)

    assert len(calls) == NeedsProcessingMarker.MAX_ATTEMPTS
    assert await _marked_ids(kernel_world) == {only: (NeedsProcessingMarker.MAX_ATTEMPTS, "unreadable")}


async def test_event_handlers_return_results_to_the_dispatcher(kernel_world: World) -> None:
    @listens_for(EchoQuery)
    async def shout(event: EchoQuery, session: WorldSession) -> str:
        return event.text.upper()

    @listens_for(EchoQuery)
    async def count(event: Annotated[EchoQuery, "Event"]) -> int:
        return len(event.text)

    kernel_world.register_system(shout)
    kernel_world.register_system(count)
    assert await kernel_world.dispatch_event(EchoQuery(text="find cats")) == ["FIND CATS", 9]


async def test_unresolvable_parameters_fail_at_registration(kernel_world: World) -> None:
    @system(stage=SystemStage.METADATA_EXTRACTION)
    async def wants_missing_resource(greeting: Resource[Greeting]) -> None:
        raise AssertionError("never runs")

    with pytest.raises(DependencyResolutionError, match=r"wants_missing_resource.*'greeting'.*Greeting"):
        kernel_world.register_system(wants_missing_resource)

    @system(stage=SystemStage.METADATA_EXTRACTION)
    async def wants_an_int(limit: int) -> None:
        raise AssertionError("never runs")

    with pytest.raises(DependencyResolutionError, match=r"wants_an_int.*'limit'.*not injectable"):
        kernel_world.register_system(wants_an_int)

    @system(stage=SystemStage.METADATA_EXTRACTION)
    async def untyped(session) -> None:  # type: ignore[no-untyped-def]
        raise AssertionError("never runs")

    with pytest.raises(DependencyResolutionError, match="no type annotation"):
        kernel_world.register_system(untyped)

    @system(stage=SystemStage.METADATA_EXTRACTION)
    async def wants_event_in_a_stage(event: EchoQuery) -> None:
        raise AssertionError("never runs")

    with pytest.raises(DependencyResolutionError, match="only @listens_for handlers receive events"):
        kernel_world.register_system(wants_event_in_a_stage)
