"""Reviewing the tags a model proposed: list, count, accept (they become manual tags), reject
(remembered, so the tag is not proposed again for that asset), accept all above a confidence.

Accepting changes the assets' tags ("tags") and the open proposals ("proposals"); rejecting only
the proposals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dam_desktop.core.events import WorldChanged
from dam_desktop.services.tagging import proposal_review, tagging_service
from dam_desktop.services.tagging.proposal_review import ModelTagProposal
from dam_desktop.use_cases.library import thumbnail_paths
from dam_desktop.use_cases.models import PROPOSALS, weights_state
from dam_desktop.use_cases.tags import TAGS

if TYPE_CHECKING:
    from dam_desktop.core.world import World

Pair = tuple[int, int]  # (entity id, tag id)


@dataclass(frozen=True)
class ProposalPage:
    """One page of open proposals, most confident first, and how many match in all."""

    proposals: list[ModelTagProposal]
    total: int


async def list_proposals(
    world: World,
    *,
    tag: str | None = None,
    min_confidence: float = 0.0,
    model_name: str | None = None,
    limit: int | None = 500,
    offset: int = 0,
) -> ProposalPage:
    async with world.session() as session:
        proposals = await proposal_review.list_proposals(
            session, tag=tag, min_confidence=min_confidence, model_name=model_name, limit=limit, offset=offset
        )
        total = await proposal_review.count_proposals(
            session, tag=tag, min_confidence=min_confidence, model_name=model_name
        )
        return ProposalPage(proposals, total)


async def count_open(world: World) -> int:
    async with world.session() as session:
        return await proposal_review.count_proposals(session)


@dataclass(frozen=True)
class ReviewState:
    """What the review view shows, read in one call."""

    model_name: str
    weights_missing: str | None
    weights_searched: list[str]
    pending: int
    proposals: list[ModelTagProposal]
    total: int
    tag_counts: list[tuple[str, int]]
    thumbnails: dict[int, Path]


async def review_state(world: World, *, tag: str | None, min_confidence: float, limit: int) -> ReviewState:
    weights = weights_state(world)
    page = await list_proposals(world, tag=tag, min_confidence=min_confidence, limit=limit)
    ids = sorted({p.entity_id for p in page.proposals})
    async with world.session() as session:
        pending = await tagging_service.pending_tagging_count(session)
        tag_counts = await proposal_review.proposal_tag_counts(session)
    return ReviewState(
        model_name=weights.model_name,
        weights_missing=weights.missing,
        weights_searched=weights.searched,
        pending=pending,
        proposals=page.proposals,
        total=page.total,
        tag_counts=tag_counts,
        thumbnails=await thumbnail_paths(world, ids, image_fallback=True),
    )


async def accept(world: World, pairs: Iterable[Pair]) -> int:
    """Turn the proposals into manual tags; returns how many tags were added (rejected pairs are
    skipped)."""
    pairs = list(pairs)
    async with world.session() as session:
        added = await proposal_review.accept_model_tags(session, pairs)
        await session.commit()
    world.notify_changed(WorldChanged.of({e for e, _ in pairs}, TAGS, PROPOSALS))
    return added


async def reject(world: World, pairs: Iterable[Pair]) -> int:
    pairs = list(pairs)
    async with world.session() as session:
        rejected = await proposal_review.reject_model_tags(session, pairs)
        await session.commit()
    world.notify_changed(WorldChanged.of({e for e, _ in pairs}, PROPOSALS))
    return rejected


async def accept_all(
    world: World, *, min_confidence: float, tag: str | None = None, model_name: str | None = None
) -> int:
    """Accept every open proposal at or above `min_confidence` (optionally of one tag or model)."""
    async with world.session() as session:
        added = await proposal_review.bulk_accept_model_tags(
            session, min_confidence=min_confidence, tag=tag, model_name=model_name
        )
        await session.commit()
    world.notify_changed(WorldChanged.of((), TAGS, PROPOSALS))
    return added


async def find_pairs(world: World, entity_ids: Iterable[int], tag: str | None = None) -> list[Pair]:
    """The open proposals on these assets (of `tag` only, when given), as pairs: the CLI names
    assets and a tag, not pairs."""
    ids = set(entity_ids)
    async with world.session() as session:
        proposals = await proposal_review.list_proposals(session, tag=tag, limit=None)
    return [(p.entity_id, p.tag_id) for p in proposals if p.entity_id in ids]
