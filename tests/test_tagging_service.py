"""AI tagging end to end with a tiny real open_clip model: weights, proposals, review."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.stage_reports import StageProgress
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.ml.open_clip_loader import InvalidWeightsError
from dam_desktop.models.core.pipeline_markers import NeedsAutoTaggingMarker
from dam_desktop.models.files.trashed_component import TrashedComponent
from dam_desktop.models.tags import ModelGeneratedTagLinkComponent
from dam_desktop.services import ecs_service
from dam_desktop.services.tagging import proposal_review, tagging_service
from dam_desktop.services.tagging.tagging_service import AutoTaggingSettings
from dam_desktop.services.tags import tag_service
from dam_desktop.use_cases import pipeline
from dam_desktop.use_cases.pipeline import StageOutcome
from tests.tagging_fixtures import TINY_MODEL, add_asset, draw_image


async def _import_weights(world: World, settings: AutoTaggingSettings, weights: Path) -> Path:
    return await tagging_service.import_tagging_weights(
        world.resources.get(ModelExecutionManager), settings, weights
    )


async def _tag(world: World, on_progress: Callable[[StageProgress], None] | None = None) -> StageOutcome:
    [outcome] = await pipeline.run_stages(world, [SystemStage.AUTO_TAGGING], on_progress=on_progress)
    return outcome


async def _images(world: World, folder: Path, kinds: list[str]) -> list[int]:
    return [await add_asset(world, draw_image(folder / f"{i}-{k}.png", k)) for i, k in enumerate(kinds)]


async def _proposals(world: World, entity_id: int) -> list[tuple[str, float, str]]:
    async with world.session() as session:
        found = await proposal_review.proposals_for_entity(session, entity_id)
    return [(p.tag_name, p.confidence, p.model_name) for p in found]


async def _markers(world: World) -> dict[int, tuple[int, str | None]]:
    async with world.session() as session:
        rows = (await session.scalars(select(NeedsAutoTaggingMarker))).all()
        return {m.entity_id: (m.attempts, m.last_error) for m in rows}


async def test_without_weights_tagging_says_so_and_keeps_every_marker(
    world: World, tiny_settings: AutoTaggingSettings, tmp_path: Path
) -> None:
    ids = await _images(world, tmp_path / "pics", ["disc", "stripes"])

    report = await _tag(world)

    [note] = report.notes
    assert "not on this computer" in note
    assert "Import weights file" in note
    assert report.remaining == 2
    assert report.failed == {}
    assert await _markers(world) == {ids[0]: (0, None), ids[1]: (0, None)}
    assert await _proposals(world, ids[0]) == []


async def test_an_imported_weights_file_is_used_and_every_image_gets_proposals(
    world: World,
    tiny_settings: AutoTaggingSettings,
    tiny_weights_file: Path,
    tagging_models_dir: Path,
    tmp_path: Path,
) -> None:
    ids = await _images(world, tmp_path / "pics", ["disc", "stripes", "square", "line", "disc"])
    installed = await _import_weights(world, tiny_settings, tiny_weights_file)
    progress: list[tuple[int, int]] = []

    report = await _tag(world, lambda p: progress.append((p.done, p.total)))

    assert installed.parent.parent.parent == tagging_models_dir
    assert installed.read_bytes() == tiny_weights_file.read_bytes()
    assert report.notes == ()
    assert report.done == 5 and report.failed == {} and report.remaining == 0
    assert progress[0] == (0, 5) and progress[-1] == (5, 5)
    assert await _markers(world) == {}
    for entity_id in ids:
        proposals = await _proposals(world, entity_id)
        assert len(proposals) == 3
        assert all(model == TINY_MODEL and 0 < confidence <= 1 for _, confidence, model in proposals)
        confidences = [c for _, c, _ in proposals]
        assert confidences == sorted(confidences, reverse=True)


async def test_the_embedded_vocabulary_is_cached_next_to_the_weights_and_reused(
    world: World, tiny_settings: AutoTaggingSettings, tiny_weights_file: Path, tmp_path: Path
) -> None:
    picture = draw_image(tmp_path / "p.png", "square")
    await _import_weights(world, tiny_settings, tiny_weights_file)
    first = await tagging_service.get_tagging_model(ModelExecutionManager(), tiny_settings)
    [cache] = list(tiny_settings.models_dir.rglob("vocabulary-default-*.npy"))  # type: ignore[union-attr]
    stamp = cache.stat().st_mtime_ns

    second_manager = ModelExecutionManager()
    second = await tagging_service.get_tagging_model(second_manager, tiny_settings)
    tags = await second_manager.run(second.tag_files, [picture], batch_size=1, threshold=0.0, max_tags=3)

    assert second is not first
    assert cache.stat().st_mtime_ns == stamp
    assert tags == first.tag_files([picture], batch_size=1, threshold=0.0, max_tags=3)


async def test_the_stage_runs_the_auto_tagging_system(
    world: World, tiny_settings: AutoTaggingSettings, tiny_weights_file: Path, tmp_path: Path
) -> None:
    ids = await _images(world, tmp_path / "pics", ["disc", "square"])
    await _import_weights(world, tiny_settings, tiny_weights_file)

    await world.execute_stage(SystemStage.AUTO_TAGGING)

    assert await _markers(world) == {}
    assert [len(await _proposals(world, i)) for i in ids] == [3, 3]


async def test_tagging_again_replaces_the_models_earlier_proposals(
    world: World, tiny_settings: AutoTaggingSettings, tiny_weights_file: Path, tmp_path: Path
) -> None:
    [entity_id] = await _images(world, tmp_path / "pics", ["stripes"])
    await _import_weights(world, tiny_settings, tiny_weights_file)
    async with world.session() as session:
        await tagging_service.store_model_tags(
            session, TINY_MODEL, {entity_id: [("stale guess", 0.9), ("another stale guess", 0.8)]}
        )
        await tagging_service.store_model_tags(session, "other-model", {entity_id: [("kept", 0.5)]})
        await session.commit()

    await _tag(world)
    first = await _proposals(world, entity_id)
    manager = world.resources.get(ModelExecutionManager)
    async with world.session() as session:
        again = await tagging_service.update_entity_model_tags(
            session, world.paths, manager, entity_id, tiny_settings
        )
        await session.commit()

    names = [name for name, _, model in first if model == TINY_MODEL]
    assert len(names) == 3 and "stale guess" not in names
    assert ("kept", 0.5, "other-model") in first
    assert sorted(again) == sorted((n, c) for n, c, m in first if m == TINY_MODEL)
    assert len(await _proposals(world, entity_id)) == 4


async def test_accepting_makes_a_manual_tag_and_rejecting_is_remembered(
    world: World, tiny_settings: AutoTaggingSettings, tiny_weights_file: Path, tmp_path: Path
) -> None:
    [entity_id] = await _images(world, tmp_path / "pics", ["disc"])
    await _import_weights(world, tiny_settings, tiny_weights_file)
    await _tag(world)
    async with world.session() as session:
        accepted, rejected, third = await proposal_review.proposals_for_entity(session, entity_id)
        assert await proposal_review.accept_model_tag(session, entity_id, accepted.tag_id)
        await proposal_review.reject_model_tag(session, entity_id, rejected.tag_id)
        await session.commit()

    async with world.session() as session:
        manual = await tag_service.tags_of_entities(session, [entity_id])
        remaining = [p.tag_name for p in await proposal_review.proposals_for_entity(session, entity_id)]
        assert await proposal_review.rejected_tags_of(session, entity_id) == [rejected.tag_name]
        await tagging_service.queue_for_tagging(session, TINY_MODEL, retag=True)
        await session.commit()
    assert [t.name for t in manual[entity_id]] == [accepted.tag_name]
    assert accepted.tag_name not in remaining and rejected.tag_name not in remaining

    # A fresh run would propose the same three tags; neither the accepted nor the rejected one returns.
    await _tag(world)
    after = [name for name, _, _ in await _proposals(world, entity_id)]
    assert after == [third.tag_name]

    # Accepting a rejected pair does nothing.
    async with world.session() as session:
        assert not await proposal_review.accept_model_tag(session, entity_id, rejected.tag_id)


async def test_bulk_accept_takes_only_proposals_above_the_threshold(
    world: World, tiny_settings: AutoTaggingSettings, tmp_path: Path
) -> None:
    a = await add_asset(world, draw_image(tmp_path / "a.png", "disc"), mark=False)
    b = await add_asset(world, draw_image(tmp_path / "b.png", "square"), mark=False)
    async with world.session() as session:
        await tagging_service.store_model_tags(
            session, TINY_MODEL, {a: [("red", 0.9), ("circle", 0.4)], b: [("red", 0.7), ("green", 0.2)]}
        )
        red = await tag_service.find_tag(session, "red")
        assert red is not None
        await proposal_review.reject_model_tag(session, b, red)
        assert await proposal_review.count_proposals(session, min_confidence=0.3) == 2
        assert await proposal_review.proposal_tag_counts(session) == [("circle", 1), ("green", 1), ("red", 1)]

        added = await proposal_review.bulk_accept_model_tags(session, min_confidence=0.3)
        await session.commit()

        manual = await tag_service.tags_of_entities(session, [a, b])
        left = await proposal_review.list_proposals(session)
    assert added == 2
    assert sorted(t.name for t in manual[a]) == ["circle", "red"]
    assert manual[b] == []
    assert [(p.entity_id, p.tag_name) for p in left] == [(b, "green")]


async def test_proposal_listing_filters_by_tag_and_threshold_and_hides_trashed_assets(
    world: World, tiny_settings: AutoTaggingSettings, tmp_path: Path
) -> None:
    a = await add_asset(world, draw_image(tmp_path / "a.png", "disc"), mark=False)
    b = await add_asset(world, draw_image(tmp_path / "b.png", "square"), mark=False)
    c = await add_asset(world, draw_image(tmp_path / "c.png", "line"), mark=False)
    async with world.session() as session:
        await tagging_service.store_model_tags(
            session, TINY_MODEL, {a: [("red", 0.9)], b: [("red", 0.3), ("green", 0.6)], c: [("red", 0.95)]}
        )
        await ecs_service.add_component_to_entity(session, c, TrashedComponent())
        await session.commit()
        red = await proposal_review.list_proposals(session, tag="Red")
        confident = await proposal_review.list_proposals(session, min_confidence=0.5)

    assert [(p.entity_id, p.confidence, p.filename) for p in red] == [(a, 0.9, "a.png"), (b, 0.3, "b.png")]
    assert [(p.entity_id, p.tag_name) for p in confident] == [(a, "red"), (b, "green")]


async def test_non_images_trashed_assets_and_unreadable_files(
    world: World, tiny_settings: AutoTaggingSettings, tiny_weights_file: Path, tmp_path: Path
) -> None:
    good = await add_asset(world, draw_image(tmp_path / "good.png", "disc"))
    sound = tmp_path / "beep.wav"
    sound.write_bytes(b"RIFF....WAVE")
    audio = await add_asset(world, sound, asset_type="audio")
    broken_file = tmp_path / "broken.png"
    broken_file.write_bytes(b"\x89PNG\r\n\x1a\n this is not really a png")
    broken = await add_asset(world, broken_file)
    gone = await add_asset(world, tmp_path / "deleted-meanwhile.png")
    trashed = await add_asset(world, draw_image(tmp_path / "trashed.png", "square"))
    async with world.session() as session:
        await ecs_service.add_component_to_entity(session, trashed, TrashedComponent())
        await session.commit()
    await _import_weights(world, tiny_settings, tiny_weights_file)

    report = await _tag(world)

    assert set(report.failed) == {broken, gone}
    assert "cannot read image broken.png" in report.failed[broken]
    assert "file not found" in report.failed[gone]
    markers = await _markers(world)
    assert set(markers) == {broken, gone}
    assert markers[broken][0] == 1
    assert len(await _proposals(world, good)) == 3
    assert await _proposals(world, audio) == [] and await _proposals(world, trashed) == []


async def test_a_file_that_is_not_weights_for_the_model_is_refused_with_a_reason(
    world: World,
    tiny_settings: AutoTaggingSettings,
    tiny_weights_file: Path,
    tagging_models_dir: Path,
    tmp_path: Path,
) -> None:
    import numpy as np
    from safetensors.numpy import save_file

    wrong = tmp_path / "some-other-model.safetensors"
    save_file({"encoder.weight": np.zeros((4, 4), dtype=np.float32)}, str(wrong))
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")

    with pytest.raises(InvalidWeightsError, match=r"other-model\.safetensors holds no open_clip"):
        await _import_weights(world, tiny_settings, wrong)
    with pytest.raises(InvalidWeightsError, match="is not a weights file"):
        await _import_weights(world, tiny_settings, text_file)
    assert tagging_service.find_tagging_weights(tiny_settings) is None
    assert not any(p.is_file() for p in tagging_models_dir.rglob("*"))


async def test_a_run_can_be_cancelled_between_batches(
    world: World, tiny_settings: AutoTaggingSettings, tiny_weights_file: Path, tmp_path: Path
) -> None:
    await _images(world, tmp_path / "pics", ["disc"] * 10)
    await _import_weights(world, tiny_settings, tiny_weights_file)

    def on_progress(progress: StageProgress) -> None:
        if progress.done >= 4:
            world.scheduler.cancel(SystemStage.AUTO_TAGGING)

    report = await _tag(world, on_progress)

    assert report.cancelled
    assert report.done == 4
    assert report.remaining == 6
    assert len(await _markers(world)) == 6


async def test_queue_for_tagging_marks_only_untagged_images(
    world: World, tiny_settings: AutoTaggingSettings, tmp_path: Path
) -> None:
    tagged = await add_asset(world, draw_image(tmp_path / "a.png", "disc"), mark=False)
    fresh = await add_asset(world, draw_image(tmp_path / "b.png", "disc"), mark=False)
    sound = tmp_path / "c.wav"
    sound.write_bytes(b"RIFF")
    await add_asset(world, sound, asset_type="audio", mark=False)
    async with world.session() as session:
        await tagging_service.store_model_tags(session, TINY_MODEL, {tagged: [("red", 0.5)]})
        assert await tagging_service.queue_for_tagging(session, TINY_MODEL) == 1
        await session.commit()
    assert set(await _markers(world)) == {fresh}


async def test_oom_during_batched_inference_retries_with_smaller_batches(
    world: World, tiny_settings: AutoTaggingSettings, tiny_weights_file: Path, tmp_path: Path
) -> None:
    import torch  # noqa: TID251

    paths = [draw_image(tmp_path / f"{i}.png", "stripes") for i in range(6)]
    await _import_weights(world, tiny_settings, tiny_weights_file)
    manager = world.resources.get(ModelExecutionManager)
    tagger = await tagging_service.get_tagging_model(manager, tiny_settings)
    reference = await manager.run(tagger.tag_files, paths, batch_size=6, threshold=0.0, max_tags=3)
    seen: list[int] = []
    real_encode = tagger.bundle.model.encode_image

    def flaky_encode(pixels: torch.Tensor) -> torch.Tensor:
        seen.append(pixels.shape[0])
        if pixels.shape[0] > 2:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 1.00 GiB")
        return real_encode(pixels)

    tagger.bundle.model.encode_image = flaky_encode
    try:
        retried = await manager.run(tagger.tag_files, paths, batch_size=8, threshold=0.0, max_tags=3)
    finally:
        tagger.bundle.model.encode_image = real_encode

    assert seen == [6, 4, 2, 2, 2]
    assert [[t.tag for t in r] for r in retried] == [[t.tag for t in r] for r in reference]  # type: ignore[union-attr]


async def test_links_are_unique_per_entity_tag_and_model(
    world: World, tiny_settings: AutoTaggingSettings, tmp_path: Path
) -> None:
    a = await add_asset(world, draw_image(tmp_path / "a.png", "disc"), mark=False)
    async with world.session() as session:
        stored = await tagging_service.store_model_tags(
            session, TINY_MODEL, {a: [("red", 0.5), ("Red", 0.4)]}
        )
        await session.commit()
        rows = (await session.scalars(select(ModelGeneratedTagLinkComponent))).all()
    assert stored == 1
    assert [(r.entity_id, r.source_model_name, r.confidence) for r in rows] == [(a, TINY_MODEL, 0.5)]
