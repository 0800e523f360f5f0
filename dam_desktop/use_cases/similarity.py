""" "Find similar": the assets most like one image or sound, narrowed by a tag query."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dam_desktop.use_cases.search import allowed_by_query

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.services.semantic.semantic_search import SemanticResults


async def find_similar(world: World, entity_id: int, *, where: str = "", limit: int = 100) -> SemanticResults:
    """The assets most like `entity_id` (images by their embedding, sounds by their fingerprint)."""
    from dam_desktop.services.semantic.audio_service import AudioSettings
    from dam_desktop.services.semantic.semantic_search import find_similar as ranked
    from dam_desktop.services.semantic.semantic_service import SemanticSettings
    from dam_desktop.services.semantic.vector_index import VectorIndexCache

    allowed = await allowed_by_query(world, where)
    resources = world.resources
    async with world.session() as session:
        return await ranked(
            session,
            resources.get(VectorIndexCache),
            resources.get(SemanticSettings),
            resources.get(AudioSettings),
            entity_id,
            limit=limit,
            allowed_entity_ids=allowed,
        )
