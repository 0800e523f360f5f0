"""Tagged assets can be deleted for good: the cascade through tag links must not trip any trigger."""

from __future__ import annotations

from sqlalchemy import func, select

from dam_desktop.core import World
from dam_desktop.models import EntityTagLinkComponent, FilePropertiesComponent, TagConceptComponent
from dam_desktop.services import ecs_service
from dam_desktop.services.store import trash_service
from dam_desktop.services.tags import tag_service


async def _tagged_assets(world: World, count: int) -> list[int]:
    async with world.session() as session:
        ids = await ecs_service.create_entities(session, count)
        for eid in ids:
            await ecs_service.add_component_to_entity(
                session,
                eid,
                FilePropertiesComponent(
                    original_filename=f"{eid}.png", file_size_bytes=10, mime_type="image/png"
                ),
            )
        await tag_service.add_tags(session, ids, ["sunset", "beach"])
        await session.commit()
    return ids


async def test_deleting_a_tagged_asset_removes_it_and_its_links(world: World) -> None:
    doomed, kept = await _tagged_assets(world, 2)
    async with world.session() as session:
        assert await ecs_service.delete_entity(session, doomed)
        await session.commit()
    async with world.session() as session:
        assets = (await session.scalars(select(FilePropertiesComponent.entity_id))).all()
        linked = (await session.scalars(select(EntityTagLinkComponent.entity_id).distinct())).all()
        tags = await session.scalar(select(func.count()).select_from(TagConceptComponent))
    assert assets == [kept]
    assert linked == [kept]
    assert tags == 2


async def test_emptying_the_trash_of_tagged_assets(world: World) -> None:
    ids = await _tagged_assets(world, 3)
    async with world.session() as session:
        await trash_service.move_to_trash(session, world.paths, ids[:2])
        await session.commit()
    async with world.session() as session:
        result = await trash_service.empty_trash(session, world.paths)
    assert sorted(result.entity_ids) == sorted(ids[:2])
    async with world.session() as session:
        assets = (await session.scalars(select(FilePropertiesComponent.entity_id))).all()
    assert assets == [ids[2]]
