"""`has:model-tags` and `model:TAG` find assets by their open model proposals, through review."""

from __future__ import annotations

from pathlib import Path

from dam_desktop.core.world import World
from dam_desktop.services.search.search_service import count, search
from dam_desktop.services.tagging import proposal_review, tagging_service
from dam_desktop.services.tagging.tagging_service import AutoTaggingSettings
from dam_desktop.services.tags import tag_service
from tests.tagging_fixtures import TINY_MODEL, add_asset, draw_image


async def _search(world: World, query: str) -> set[int]:
    async with world.session() as session:
        found = set(await search(session, query, limit=None))
        assert await count(session, query) == len(found)
        return found


async def test_model_terms_follow_proposals_through_accept_and_reject(
    world: World, tiny_settings: AutoTaggingSettings, tmp_path: Path
) -> None:
    cat_pic = await add_asset(world, draw_image(tmp_path / "cat.png", "disc"), mark=False)
    dog_pic = await add_asset(world, draw_image(tmp_path / "dog.png", "square"), mark=False)
    plain = await add_asset(world, draw_image(tmp_path / "plain.png", "line"), mark=False)
    async with world.session() as session:
        await tagging_service.store_model_tags(
            session,
            TINY_MODEL,
            {cat_pic: [("cat", 0.8), ("pet", 0.3)], dog_pic: [("dog", 0.7), ("pet", 0.2)]},
        )
        await session.commit()

    assert await _search(world, "has:model-tags") == {cat_pic, dog_pic}
    assert await _search(world, "-has:model-tags") == {plain}
    assert await _search(world, "model:pet") == {cat_pic, dog_pic}
    assert await _search(world, "model:cat") == {cat_pic}
    assert await _search(world, "model:pet -model:dog") == {cat_pic}
    assert await _search(world, "cat") == set()  # a proposal is not a tag until accepted

    async with world.session() as session:
        cat = await tag_service.require_tag(session, "cat")
        dog = await tag_service.require_tag(session, "dog")
        await proposal_review.accept_model_tag(session, cat_pic, cat)
        await proposal_review.reject_model_tag(session, dog_pic, dog)
        await session.commit()

    assert await _search(world, "cat") == {cat_pic}
    assert await _search(world, "model:cat") == set()
    assert await _search(world, "model:dog") == set()
    assert await _search(world, "has:model-tags") == {cat_pic, dog_pic}  # "pet" is still open on both
