"""One vision pass per image: model tags come from the stored CLIP embeddings, so tagging after
embedding decodes no image and runs no vision model, and re-tagging with another threshold works
on stored vectors alone (the image files are deleted before tagging to prove it)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.ml.zero_shot_tagger import ZeroShotTagger
from dam_desktop.models.core.pipeline_markers import NeedsEmbeddingMarker
from dam_desktop.models.tags import ModelGeneratedTagLinkComponent
from dam_desktop.services import ecs_service
from dam_desktop.services.semantic import image_embeddings
from dam_desktop.services.semantic.semantic_service import SemanticSettings
from dam_desktop.services.tagging import tagging_service
from dam_desktop.services.tagging.tagging_service import TAGGING_MODEL_CONCEPTUAL_PARAMS, AutoTaggingSettings
from dam_desktop.use_cases import pipeline
from tests.tagging_fixtures import TINY_MODEL, add_asset, draw_image
from tests.test_semantic_clip import tiny_clip, tiny_vectors  # noqa: F401


def _no_vision_pass(*args: object, **kwargs: object) -> object:
    raise AssertionError("the vision model ran while tagging stored embeddings")


async def _proposals(world: World) -> dict[int, list[tuple[str, float]]]:
    async with world.session() as session:
        rows = await session.execute(
            select(
                ModelGeneratedTagLinkComponent.entity_id,
                ModelGeneratedTagLinkComponent.tag_concept_entity_id,
                ModelGeneratedTagLinkComponent.confidence,
            )
        )
        found: dict[int, list[tuple[str, float]]] = {}
        for entity_id, tag_id, confidence in rows.all():
            found.setdefault(int(entity_id), []).append((str(tag_id), float(confidence)))
        return found


async def test_tags_come_from_stored_embeddings_without_decoding_images(
    world: World,
    tiny_clip: SemanticSettings,  # noqa: F811
    tiny_settings: AutoTaggingSettings,
    tiny_weights_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    manager = world.resources.get(ModelExecutionManager)
    await image_embeddings.import_image_model_weights(manager, tiny_clip, tiny_weights_file)
    pictures = [draw_image(tmp_path / "pics" / f"{kind}.png", kind) for kind in ("disc", "stripes", "square")]
    ids = [await add_asset(world, path) for path in pictures]
    async with world.session() as session:
        await ecs_service.add_marker(session, ids, NeedsEmbeddingMarker)
        await session.commit()
    await pipeline.run_stages(world, [SystemStage.IMAGE_EMBEDDING])
    tagger = await tagging_service.get_tagging_model(manager, tiny_settings)
    by_vision = await manager.run(tagger.tag_files, pictures, batch_size=4, threshold=0.0, max_tags=3)

    for path in pictures:
        path.unlink()  # any decode from here on would fail the image
    monkeypatch.setattr(ZeroShotTagger, "score_images", _no_vision_pass)
    [outcome] = await pipeline.run_stages(world, [SystemStage.AUTO_TAGGING])

    assert outcome.failed == {} and outcome.done == 3
    async with world.session() as session:
        stored = {i: await tagging_service.proposals_for_entity(session, i, TINY_MODEL) for i in ids}
    for entity_id, vision_tags in zip(ids, by_vision, strict=True):
        assert not isinstance(vision_tags, str)
        assert [p.tag_name for p in stored[entity_id]] == [t.tag for t in vision_tags]
        for proposal, expected in zip(stored[entity_id], vision_tags, strict=True):
            assert proposal.confidence == pytest.approx(expected.confidence, abs=1e-4)

    monkeypatch.setitem(
        TAGGING_MODEL_CONCEPTUAL_PARAMS,
        TINY_MODEL,
        dataclasses.replace(TAGGING_MODEL_CONCEPTUAL_PARAMS[TINY_MODEL], max_tags=1),
    )
    async with world.session() as session:
        await tagging_service.queue_for_tagging(session, TINY_MODEL, retag=True)
        await session.commit()
    await pipeline.run_stages(world, [SystemStage.AUTO_TAGGING])

    async with world.session() as session:
        counts = dict(
            (
                await session.execute(
                    select(ModelGeneratedTagLinkComponent.entity_id, func.count()).group_by(
                        ModelGeneratedTagLinkComponent.entity_id
                    )
                )
            ).all()
        )
    assert counts == {i: 1 for i in ids}
    assert (await _proposals(world)).keys() == set(ids)


async def test_an_image_not_embedded_yet_is_embedded_once_while_tagging(
    world: World,
    tiny_clip: SemanticSettings,  # noqa: F811
    tiny_settings: AutoTaggingSettings,
    tiny_weights_file: Path,
    tmp_path: Path,
) -> None:
    manager = world.resources.get(ModelExecutionManager)
    await image_embeddings.import_image_model_weights(manager, tiny_clip, tiny_weights_file)
    entity_id = await add_asset(world, draw_image(tmp_path / "disc.png", "disc"))
    async with world.session() as session:
        await ecs_service.add_marker(session, [entity_id], NeedsEmbeddingMarker)
        await session.commit()

    await pipeline.run_stages(world, [SystemStage.AUTO_TAGGING])

    async with world.session() as session:
        assert await tagging_service.proposals_for_entity(session, entity_id, TINY_MODEL)
        assert await session.scalar(select(func.count()).select_from(NeedsEmbeddingMarker)) == 0
    assert len(await tiny_vectors(world)) == 1
