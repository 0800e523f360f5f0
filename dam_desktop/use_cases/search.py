"""Searching: tag queries (the grid's result, the CLI's pages and counts), the tag sidebar's counts,
saved searches, the search box's autocomplete (`autocomplete`, `word_at`, `term_for_tag`; the
`Suggestion` and `WordSpan` values are re-exported here for the window), and the semantic search
by sentence.

A query error raises `QueryError` (a `DamError`) with the position, for the search box or the CLI.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import select

from dam_desktop.core.events import WorldChanged
from dam_desktop.services.browse.browse_sql import IdArray
from dam_desktop.services.search import search_service
from dam_desktop.services.search.search_service import SavedSearch, TagCount
from dam_desktop.services.search.sorting import SortKey as SortKey
from dam_desktop.services.search.suggestions import Suggestion as Suggestion
from dam_desktop.services.search.suggestions import WordSpan as WordSpan
from dam_desktop.services.search.suggestions import suggest
from dam_desktop.services.search.suggestions import term_for_tag as term_for_tag
from dam_desktop.services.search.suggestions import word_at as word_at
from dam_desktop.services.search.tag_query.errors import QueryError as QueryError

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.services.semantic.audio_service import AudioSettings
    from dam_desktop.services.semantic.semantic_search import SemanticResults
    from dam_desktop.services.semantic.semantic_service import SemanticSettings
    from dam_desktop.services.semantic.vector_index import VectorIndexCache

SAVED_SEARCHES = "saved_searches"  # the component name a change event gives for saved searches
PAGE = 5000


async def search_ids(
    world: World, query: str, *, sort: SortKey = SortKey.ADDED, descending: bool | None = None
) -> IdArray:
    """Every asset matching the tag query, in `sort` order (the grid's result)."""
    async with world.read_session() as session:
        ids = await search_service.search(session, query, limit=None, sort=sort, descending=descending)
    return np.asarray(ids, dtype=np.int64)


async def count_matches(world: World, query: str) -> int:
    async with world.read_session() as session:
        return await search_service.count(session, query)


async def search_rows(
    world: World,
    query: str,
    *,
    offset: int = 0,
    limit: int | None = None,
    sort: SortKey = SortKey.ADDED,
    descending: bool | None = None,
) -> AsyncIterator[list[tuple[int, str, str]]]:
    """(entity id, type, original file name) of the matches, page by page, in `sort` order."""
    from dam_desktop.models.files import FilePropertiesComponent as fp

    async with world.session() as session:
        compiled = await search_service.compile_search(session, query)
        remaining = limit
        while remaining is None or remaining > 0:
            size = PAGE if remaining is None else min(PAGE, remaining)
            ids = await search_service.search(session, compiled, offset, size, sort, descending)
            if not ids:
                return
            rows = await session.execute(
                select(fp.entity_id, fp.asset_type, fp.original_filename).where(fp.entity_id.in_(ids))
            )
            facts = {int(r[0]): (str(r[1]), str(r[2])) for r in rows.all()}
            yield [(i, *facts[i]) for i in ids if i in facts]
            offset += len(ids)
            if remaining is not None:
                remaining -= len(ids)
            if len(ids) < size:
                return


async def autocomplete(world: World, word: str, limit: int = 10) -> list[Suggestion]:
    """What the search box offers for the word being typed (`word_at(query, cursor).word`): tags,
    the most used first, with their namespaces and use counts; tag namespaces; the query's terms
    (`name:`, `path:`, `type:image`, ...). Each `Suggestion.text` replaces the word's span as is."""
    async with world.read_session() as session:
        return await suggest(session, word, limit)


@dataclass(frozen=True)
class SidebarTags:
    """The tag sidebar's contents: the tags of a query's result with counts, and saved searches."""

    counts: list[TagCount]
    saved: list[SavedSearch]


async def sidebar_tags(world: World, query: str, limit: int = 60) -> SidebarTags:
    """A query that does not parse shows no counts (the search box shows its error)."""
    async with world.read_session() as session:
        try:
            counts = await search_service.tag_counts_for_query(session, query, limit)
        except QueryError:
            counts = []
        return SidebarTags(counts, await search_service.list_saved_searches(session))


async def save_search(world: World, name: str, query: str) -> SavedSearch:
    async with world.session() as session:
        saved = await search_service.save_search(session, name, query)
        await session.commit()
    world.notify_changed(WorldChanged.of((), SAVED_SEARCHES))
    return saved


async def delete_saved_search(world: World, name: str) -> bool:
    async with world.session() as session:
        deleted = await search_service.delete_saved_search(session, name)
        await session.commit()
    if deleted:
        world.notify_changed(WorldChanged.of((), SAVED_SEARCHES))
    return deleted


async def allowed_by_query(world: World, where: str) -> set[int] | None:
    """The ids a narrowing tag query allows; None when there is no query (everything allowed)."""
    if not where.strip():
        return None
    async with world.read_session() as session:
        return set(await search_service.search(session, where, limit=None))


@dataclass(frozen=True)
class SemanticContext:
    """What a semantic search reads besides the database: the vector indexes and the settings."""

    cache: VectorIndexCache
    settings: SemanticSettings
    audio: AudioSettings


def semantic_context(world: World) -> SemanticContext:
    from dam_desktop.services.semantic.audio_service import AudioSettings
    from dam_desktop.services.semantic.semantic_service import SemanticSettings
    from dam_desktop.services.semantic.vector_index import VectorIndexCache

    resources = world.resources
    return SemanticContext(
        resources.get(VectorIndexCache), resources.get(SemanticSettings), resources.get(AudioSettings)
    )


async def search_by_sentence(
    world: World, sentence: str, *, where: str = "", limit: int = 100, catch_up: bool = False
) -> SemanticResults:
    """Assets ranked by how well they match a sentence, hybrid: its words in names, locations and
    tags (BM25) fused with MiniLM over names and tags, CLIP over pixels and CLAP over sounds where
    their weights exist; an exact file name first. `results.rankers` says which rankings took
    part. Narrowed by the tag query `where`. With `catch_up`, the embeddings an import left waiting
    are made first (the CLI: while the window is open it does that work itself)."""
    from dam_desktop.core.model_manager import ModelExecutionManager
    from dam_desktop.core.stages import SystemStage
    from dam_desktop.services.semantic.semantic_search import search_by_sentence as ranked

    if catch_up and not world.read_only:
        await world.run_all_stages(
            [SystemStage.AUDIO_PROCESSING, SystemStage.TEXT_EMBEDDING, SystemStage.IMAGE_EMBEDDING]
        )
    allowed = await allowed_by_query(world, where)
    context = semantic_context(world)
    manager = world.resources.get(ModelExecutionManager)
    async with world.session() as session:
        return await ranked(
            session,
            context.cache,
            manager,
            context.settings,
            context.audio,
            sentence,
            limit=limit,
            allowed_entity_ids=allowed,
        )


def query_syntax_error(query: str) -> QueryError | None:
    """The syntax error in `query`, or None. Needs no database: for checking while typing and
    before a command opens the library."""
    return search_service.syntax_error(query)
