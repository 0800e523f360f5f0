"""Saved searches kept in the library: renaming one (saving and deleting are in `search`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dam_desktop.core.events import WorldChanged
from dam_desktop.services.search import search_service
from dam_desktop.use_cases.search import SAVED_SEARCHES

if TYPE_CHECKING:
    from dam_desktop.core.world import World


async def rename_saved_search(world: World, old: str, new: str) -> str:
    """Give the saved search `old` the name `new` (spaces tidied); returns the name it got.
    Raises `SavedSearchError` when the name is empty or another saved search has it."""
    clean = " ".join(new.split())
    async with world.session() as session:
        await search_service.rename_saved_search(session, old, clean)
        await session.commit()
    world.notify_changed(WorldChanged.of((), SAVED_SEARCHES))
    return clean
