""" "Find similar": the assets most like one image or sound, narrowed by a tag query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dam_desktop.use_cases.search import allowed_by_query, semantic_context

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.services.semantic.semantic_search import SemanticResults


async def find_similar(world: World, entity_id: int, *, where: str = "", limit: int = 100) -> SemanticResults:
    """The assets most like `entity_id` (images by their embedding, sounds by their fingerprint)."""
    from dam_desktop.services.semantic.semantic_search import find_similar as ranked

    allowed = await allowed_by_query(world, where)
    context = semantic_context(world)
    async with world.session() as session:
        return await ranked(
            session,
            context.cache,
            context.settings,
            context.audio,
            entity_id,
            limit=limit,
            allowed_entity_ids=allowed,
        )
