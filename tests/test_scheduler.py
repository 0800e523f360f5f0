"""The scheduler, the only thing that drains markers: progress, pause, cancel, one run at a time,
failing and deferring systems, systems whose modules are not installed, and change events."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from dam_desktop.core import MarkedEntityList, SystemDeferred, SystemResult, SystemStage, World, system
from dam_desktop.core.events import WorldChanged
from dam_desktop.core.stage_reports import StageProgress
from tests.kernel_fixtures import NeedsProcessingMarker, make_marked_entities

STAGE = SystemStage.METADATA_EXTRACTION


async def _markers(world: World) -> dict[int, tuple[int, str | None]]:
    async with world.session() as session:
        marker = NeedsProcessingMarker
        rows = await session.execute(select(marker.entity_id, marker.attempts, marker.last_error))
        return {r[0]: (r[1], r[2]) for r in rows}


async def test_two_requests_at_once_drain_each_marker_once(kernel_world: World) -> None:
    ids = await make_marked_entities(kernel_world, 5)
    seen: list[int] = []
    entered, gate = asyncio.Event(), asyncio.Event()

    @system(stage=STAGE, batch_size=2)
    async def slow(entities: MarkedEntityList[NeedsProcessingMarker]) -> None:
        seen.extend(e.id for e in entities)
        entered.set()
        await gate.wait()

    kernel_world.register_system(slow)
    first = asyncio.ensure_future(kernel_world.execute_stage(STAGE))
    await entered.wait()  # the first request is inside its first batch, not committed yet
    assert kernel_world.scheduler.is_running(STAGE)
    second = asyncio.ensure_future(kernel_world.execute_stage(STAGE))
    late = await make_marked_entities(kernel_world, 1)  # arrives while the stage runs
    gate.set()
    reports = await asyncio.gather(first, second)

    assert sorted(seen) == sorted(ids + late), "every marker drained once, none twice"
    assert reports[0] is reports[1]  # the second request joined the first run
    assert reports[0].finished == 6
    assert await _markers(kernel_world) == {}


async def test_a_failing_system_is_recorded_on_its_markers_and_the_stage_goes_on(kernel_world: World) -> None:
    ids = await make_marked_entities(kernel_world, 6)
    bad = ids[2]
    handled: list[int] = []

    @system(stage=STAGE, batch_size=2)
    async def breaks_on_one(entities: MarkedEntityList[NeedsProcessingMarker]) -> None:
        if any(e.id == bad for e in entities):
            raise OSError("unreadable header")
        handled.extend(e.id for e in entities)

    kernel_world.register_system(breaks_on_one)
    report = await kernel_world.execute_stage(STAGE)

    failed_batch = ids[2:4]  # the batch the error came from is charged, not the others
    assert set(report.failed) == set(failed_batch)
    assert await _markers(kernel_world) == {i: (1, "OSError: unreadable header") for i in failed_batch}
    assert handled == ids[:2] + ids[4:], "the batches after the failing one still ran"
    assert report.finished == 4


async def test_a_deferring_system_leaves_its_markers_untouched_until_it_can_run(kernel_world: World) -> None:
    ids = await make_marked_entities(kernel_world, 5)
    weights = {"installed": False}
    calls: list[int] = []

    @system(stage=STAGE, batch_size=2)
    async def needs_weights(entities: MarkedEntityList[NeedsProcessingMarker]) -> None:
        calls.append(len(entities))
        if not weights["installed"]:
            raise SystemDeferred("The weights of the test model are missing.")

    kernel_world.register_system(needs_weights)
    progress: list[StageProgress] = []
    kernel_world.scheduler.add_progress_listener(progress.append)
    report = await kernel_world.execute_stage(STAGE)

    assert calls == [2], "the remaining batches are skipped"
    assert report.notes == ["The weights of the test model are missing."]
    assert await _markers(kernel_world) == {i: (0, None) for i in ids}, "no attempt counted"
    assert progress[-1].running is False and progress[-1].done == progress[-1].total
    assert "weights" in progress[-1].note

    weights["installed"] = True
    report = await kernel_world.execute_stage(STAGE)
    assert report.finished == 5 and await _markers(kernel_world) == {}


async def test_pausing_stops_after_the_batch_and_resuming_finishes(kernel_world: World) -> None:
    scheduler = kernel_world.scheduler
    await make_marked_entities(kernel_world, 6)
    batches: list[int] = []

    @system(stage=STAGE, batch_size=2)
    async def pauses_itself(entities: MarkedEntityList[NeedsProcessingMarker]) -> None:
        batches.append(len(entities))
        if len(batches) == 1:
            scheduler.pause(STAGE)

    kernel_world.register_system(pauses_itself)
    report = await kernel_world.execute_stage(STAGE)
    assert report.paused and report.finished == 2
    assert len(await _markers(kernel_world)) == 4

    again = await kernel_world.execute_stage(STAGE)  # a paused stage does not start
    assert again.paused and again.finished == 0 and batches == [2]

    scheduler.resume(STAGE)
    done = await kernel_world.execute_stage(STAGE)
    assert not done.paused and done.finished == 4
    assert await _markers(kernel_world) == {}


async def test_cancelling_stops_the_running_pass_and_the_next_run_finishes(kernel_world: World) -> None:
    scheduler = kernel_world.scheduler
    await make_marked_entities(kernel_world, 6)
    batches: list[int] = []

    @system(stage=STAGE, batch_size=2)
    async def cancelled_in_first_batch(entities: MarkedEntityList[NeedsProcessingMarker]) -> None:
        batches.append(len(entities))
        if len(batches) == 1:
            scheduler.cancel(STAGE)

    kernel_world.register_system(cancelled_in_first_batch)
    report = await kernel_world.execute_stage(STAGE)
    assert report.cancelled and report.finished == 2
    assert len(await _markers(kernel_world)) == 4, "what was not reached keeps its marker"

    report = await kernel_world.execute_stage(STAGE)
    assert not report.cancelled and report.finished == 4


async def test_progress_and_change_events_follow_each_committed_batch(kernel_world: World) -> None:
    ids = await make_marked_entities(kernel_world, 5)
    changes: list[WorldChanged] = []
    progress: list[tuple[int, int, bool]] = []
    kernel_world.add_change_listener(changes.append)
    kernel_world.scheduler.add_progress_listener(lambda p: progress.append((p.done, p.total, p.running)))

    @system(stage=STAGE, batch_size=2, changes="thumbnail")
    async def half_fails(entities: MarkedEntityList[NeedsProcessingMarker]) -> SystemResult:
        return SystemResult(failed={ids[1]: "bad"} if entities[0].id == ids[0] else {})

    kernel_world.register_system(half_fails)
    await kernel_world.execute_stage(STAGE)

    assert progress == [(0, 5, True), (2, 5, True), (4, 5, True), (5, 5, True), (5, 5, False)]
    assert [sorted(c.entity_ids) for c in changes] == [[ids[0]], ids[2:4], [ids[4]]]
    assert all(c.touches("thumbnail") for c in changes)


async def test_a_system_whose_modules_are_missing_is_skipped_with_its_markers_kept(
    kernel_world: World,
) -> None:
    ids = await make_marked_entities(kernel_world, 3)
    ran: list[int] = []

    @system(stage=STAGE, requires=("dam_desktop_no_such_module",))
    async def needs_torch(entities: MarkedEntityList[NeedsProcessingMarker]) -> None:
        raise AssertionError("never runs without its module")

    @system(stage=SystemStage.THUMBNAIL_GENERATION)
    async def later_stage(entities: MarkedEntityList[NeedsProcessingMarker]) -> None:
        ran.extend(e.id for e in entities)

    kernel_world.register_system(needs_torch)
    kernel_world.register_system(later_stage)
    skipped, later = await kernel_world.run_all_stages()

    assert any("dam_desktop_no_such_module" in note for note in skipped.notes)
    assert ran == ids and later.finished == 3
