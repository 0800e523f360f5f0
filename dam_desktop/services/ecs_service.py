"""Entity and component operations over a session (spec §1, §2.8). Set-based: no per-row queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.sql_dialect import insert_ignoring_duplicates
from dam_desktop.models.core.base_component import BaseComponent
from dam_desktop.models.core.entity import Entity
from dam_desktop.models.core.markers import BaseMarker

C = TypeVar("C", bound=BaseComponent)


async def create_entity(session: AsyncSession) -> Entity:
    entity = Entity()
    session.add(entity)
    await session.flush()
    return entity


async def create_entities(session: AsyncSession, count: int) -> list[int]:
    """Create `count` entities in one statement; returns their ids in creation order."""
    if count <= 0:
        return []
    result = await session.execute(insert(Entity).returning(Entity.id), [{}] * count)
    return sorted(result.scalars().all())


async def get_entity(session: AsyncSession, entity_id: int) -> Entity | None:
    return await session.get(Entity, entity_id)


async def delete_entity(session: AsyncSession, entity_id: int) -> bool:
    """Delete the entity; the database cascades the delete to all of its components."""
    result = await session.execute(delete(Entity).where(Entity.id == entity_id))
    session.expire_all()
    return bool(getattr(result, "rowcount", 0))


async def delete_entities(session: AsyncSession, entity_ids: Iterable[int]) -> int:
    ids = list(entity_ids)
    if not ids:
        return 0
    result = await session.execute(delete(Entity).where(Entity.id.in_(ids)))
    session.expire_all()
    return int(getattr(result, "rowcount", 0))


async def add_component_to_entity(session: AsyncSession, entity_id: int, component: C) -> C:
    """Attach a component built with its own data to an entity (spec §2.8)."""
    component.entity_id = entity_id
    session.add(component)
    await session.flush()
    return component


async def get_component(session: AsyncSession, entity_id: int, component_type: type[C]) -> C | None:
    """The entity's component of this type (the first one, for types an entity may hold several of)."""
    stmt = (
        select(component_type)
        .where(component_type.entity_id == entity_id)
        .order_by(component_type.id)
        .limit(1)
    )
    return (await session.scalars(stmt)).first()


async def get_components(session: AsyncSession, entity_id: int, component_type: type[C]) -> list[C]:
    stmt = select(component_type).where(component_type.entity_id == entity_id).order_by(component_type.id)
    return list((await session.scalars(stmt)).all())


async def get_components_for_entities(
    session: AsyncSession, entity_ids: Sequence[int], component_type: type[C]
) -> dict[int, list[C]]:
    """Components of one type for many entities, in one query."""
    found: dict[int, list[C]] = {eid: [] for eid in entity_ids}
    if not entity_ids:
        return found
    stmt = (
        select(component_type)
        .where(component_type.entity_id.in_(list(entity_ids)))
        .order_by(component_type.entity_id, component_type.id)
    )
    for component in (await session.scalars(stmt)).all():
        found[component.entity_id].append(component)
    return found


async def remove_component(session: AsyncSession, component: BaseComponent) -> None:
    await session.delete(component)
    await session.flush()


async def remove_components(
    session: AsyncSession, entity_ids: Iterable[int], component_type: type[BaseComponent]
) -> int:
    ids = list(entity_ids)
    if not ids:
        return 0
    result = await session.execute(delete(component_type).where(component_type.entity_id.in_(ids)))
    return int(getattr(result, "rowcount", 0))


async def find_entities_with_components(
    session: AsyncSession, component_types: Sequence[type[BaseComponent]]
) -> list[Entity]:
    """Entities holding every one of `component_types`, found with one query of joins."""
    stmt = select(Entity)
    for component_type in component_types:
        stmt = stmt.where(select(component_type.id).where(component_type.entity_id == Entity.id).exists())
    return list((await session.scalars(stmt.order_by(Entity.id))).all())


async def add_marker(session: AsyncSession, entity_ids: Iterable[int], marker: type[BaseMarker]) -> None:
    """Mark entities as needing work; an entity already marked keeps its marker (and its attempts)."""
    rows = [{"entity_id": eid} for eid in entity_ids]
    if not rows:
        return
    await session.execute(insert_ignoring_duplicates(session, marker.__table__), rows)


async def count_entities(session: AsyncSession) -> int:
    return int((await session.scalar(select(func.count()).select_from(Entity))) or 0)
