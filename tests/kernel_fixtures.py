"""Components, markers, resources and events used only by the kernel's tests.

They live on their own metadata so they never appear in the app's schema or migrations; tests
create their tables next to the real ones in the same library database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.core.events import BaseEvent
from dam_desktop.core.world import World
from dam_desktop.models.core.base_component import BaseComponent
from dam_desktop.models.core.markers import BaseMarker
from dam_desktop.services import ecs_service


class NoteComponent(BaseComponent):
    __tablename__ = "component_test_note"
    text: Mapped[str] = mapped_column(String(200))


class NeedsProcessingMarker(BaseMarker):
    __tablename__ = "component_test_marker_needs_processing"


TEST_TABLES = [NoteComponent.__table__, NeedsProcessingMarker.__table__]


@pytest.fixture
async def kernel_world(library_location: Path | str) -> AsyncIterator[World]:
    """A library whose database also holds the test tables above."""
    world = await World.open(library_location)
    async with world.engine.begin() as conn:
        for table in TEST_TABLES:
            await conn.run_sync(table.create)
    yield world
    await world.close()


async def make_marked_entities(world: World, count: int) -> list[int]:
    """`count` new entities, each marked NeedsProcessing, committed."""
    async with world.session() as session:
        ids = await ecs_service.create_entities(session, count)
        await ecs_service.add_marker(session, ids, NeedsProcessingMarker)
        await session.commit()
    return ids


@dataclass
class Greeting:
    text: str


@dataclass(kw_only=True)
class EchoQuery(BaseEvent):
    text: str
