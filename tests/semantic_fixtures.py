"""Helpers for the semantic and audio tests: assets made straight through ecs_service, and a
statement counter (to check that hits are mapped to assets in one query)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.world import World
from dam_desktop.models.files import FilePropertiesComponent, TrashedComponent
from dam_desktop.services import ecs_service


async def add_asset(session: AsyncSession, filename: str, asset_type: str = "image") -> int:
    entity = await ecs_service.create_entity(session)
    ext = filename.rsplit(".", 1)[-1]
    await ecs_service.add_component_to_entity(
        session,
        entity.id,
        FilePropertiesComponent(
            original_filename=filename,
            file_size_bytes=1,
            mime_type=f"{asset_type}/{ext}",
            file_extension=ext,
            asset_type=asset_type,
        ),
    )
    return entity.id


async def trash(session: AsyncSession, entity_id: int) -> None:
    await ecs_service.add_component_to_entity(session, entity_id, TrashedComponent())


@contextmanager
def count_selects(world: World) -> Iterator[list[str]]:
    """Every SELECT the world's engine runs inside the block."""
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(world.engine.sync_engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(world.engine.sync_engine, "before_cursor_execute", before)
