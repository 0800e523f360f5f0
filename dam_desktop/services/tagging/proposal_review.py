"""Reviewing model-proposed tags (spec §2.7): listing proposals, accepting and rejecting them.

Accepting a proposal makes it a manual `EntityTagLinkComponent` and removes the proposal;
rejecting keeps a `RejectedModelTagComponent`, so no model proposes that tag for that asset again.
Pairs travel to SQLite as one JSON value rather than a row each (one statement per decision batch).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.sql_dialect import POSTGRESQL, dialect_name, no_limit, or_ignore
from dam_desktop.models.tags import (
    ModelGeneratedTagLinkComponent,
    RejectedModelTagComponent,
    TagConceptComponent,
)
from dam_desktop.services.tags import tag_service


@dataclass(frozen=True)
class ModelTagProposal:
    entity_id: int
    tag_id: int
    tag_name: str
    confidence: float
    model_name: str
    filename: str


def _proposal_filters(
    tag: str | None, min_confidence: float, model_name: str | None
) -> tuple[str, dict[str, Any]]:
    clauses = [
        "m.confidence >= :min_confidence",
        "NOT EXISTS (SELECT 1 FROM component_trashed t WHERE t.entity_id = m.entity_id)",
    ]
    params: dict[str, Any] = {"min_confidence": float(min_confidence)}
    if tag:
        clauses.append("c.tag_name = :tag")
        params["tag"] = tag_service.normalize_tag_name(tag)
    if model_name:
        clauses.append("m.source_model_name = :model")
        params["model"] = model_name
    return " AND ".join(clauses), params


_PROPOSAL_FROM = (
    " FROM component_model_generated_tag_link m"
    " JOIN component_tag_concept c ON c.entity_id = m.tag_concept_entity_id"
    " LEFT JOIN component_file_properties p ON p.entity_id = m.entity_id"
)


async def list_proposals(
    session: AsyncSession,
    *,
    tag: str | None = None,
    min_confidence: float = 0.0,
    model_name: str | None = None,
    limit: int | None = 500,
    offset: int = 0,
) -> list[ModelTagProposal]:
    """Open proposals, most confident first; `limit` None: all of them."""
    where, params = _proposal_filters(tag, min_confidence, model_name)
    rows = await session.execute(
        text(
            "SELECT m.entity_id, m.tag_concept_entity_id, c.tag_name, m.confidence, m.source_model_name,"
            " coalesce(p.original_filename, '')"
            + _PROPOSAL_FROM
            + " WHERE "
            + where
            + " ORDER BY m.confidence DESC, m.entity_id, c.tag_name LIMIT :limit OFFSET :offset"
        ),
        {**params, "limit": no_limit(session) if limit is None else int(limit), "offset": int(offset)},
    )
    return [ModelTagProposal(int(r[0]), int(r[1]), r[2], float(r[3]), r[4], r[5]) for r in rows.all()]


async def count_proposals(
    session: AsyncSession,
    *,
    tag: str | None = None,
    min_confidence: float = 0.0,
    model_name: str | None = None,
) -> int:
    where, params = _proposal_filters(tag, min_confidence, model_name)
    return int(
        (await session.scalar(text("SELECT count(*)" + _PROPOSAL_FROM + " WHERE " + where), params)) or 0
    )


async def proposal_tag_counts(session: AsyncSession, *, min_confidence: float = 0.0) -> list[tuple[str, int]]:
    """Tags that have open proposals, with how many, most frequent first (for the tag filter)."""
    where, params = _proposal_filters(None, min_confidence, None)
    rows = await session.execute(
        text(
            "SELECT c.tag_name, count(*) AS n"
            + _PROPOSAL_FROM
            + " WHERE "
            + where
            + " GROUP BY c.tag_name ORDER BY n DESC, c.tag_name"
        ),
        params,
    )
    return [(r[0], int(r[1])) for r in rows.all()]


async def proposals_for_entity(
    session: AsyncSession, entity_id: int, model_name: str | None = None
) -> list[ModelTagProposal]:
    stmt = (
        select(
            ModelGeneratedTagLinkComponent.entity_id,
            ModelGeneratedTagLinkComponent.tag_concept_entity_id,
            TagConceptComponent.tag_name,
            ModelGeneratedTagLinkComponent.confidence,
            ModelGeneratedTagLinkComponent.source_model_name,
        )
        .join(
            TagConceptComponent,
            TagConceptComponent.entity_id == ModelGeneratedTagLinkComponent.tag_concept_entity_id,
        )
        .where(ModelGeneratedTagLinkComponent.entity_id == entity_id)
        .order_by(ModelGeneratedTagLinkComponent.confidence.desc(), TagConceptComponent.tag_name)
    )
    if model_name:
        stmt = stmt.where(ModelGeneratedTagLinkComponent.source_model_name == model_name)
    return [
        ModelTagProposal(r[0], r[1], r[2], float(r[3]), r[4], "") for r in (await session.execute(stmt)).all()
    ]


# (entity id, tag id) pairs, passed as one JSON parameter `:pairs` of [[e, t], ...].
def _pairs(session: AsyncSession) -> str:
    """A FROM item: the (entity, tag) pairs of the JSON parameter `:pairs`, as columns e and t."""
    if dialect_name(session) == POSTGRESQL:
        return (
            "(SELECT (value->>0)::bigint AS e, (value->>1)::bigint AS t"
            " FROM json_array_elements(CAST(:pairs AS json)) v)"
        )
    return (
        "(SELECT json_extract(value, '$[0]') AS e, json_extract(value, '$[1]') AS t FROM json_each(:pairs))"
    )


def _pairs_json(pairs: Iterable[tuple[int, int]]) -> str:
    return json.dumps([[int(e), int(t)] for e, t in pairs])


async def accept_model_tags(session: AsyncSession, pairs: Iterable[tuple[int, int]]) -> int:
    """Turn proposals (entity id, tag id) into manual tags; their proposals from every model go.

    Pairs the person rejected are skipped. Returns how many manual tags were added.
    """
    data = _pairs_json(pairs)
    result = await session.execute(
        text(
            or_ignore(
                session,
                "INSERT OR IGNORE INTO component_entity_tag_link (entity_id, tag_concept_entity_id)"
                " SELECT p.e, p.t FROM " + _pairs(session) + " p"
                " WHERE NOT EXISTS (SELECT 1 FROM component_rejected_model_tag r"
                "  WHERE r.entity_id = p.e AND r.tag_concept_entity_id = p.t)"
                " AND EXISTS (SELECT 1 FROM entities x WHERE x.id = p.e)"
                " RETURNING entity_id",
            )
        ),
        {"pairs": data},
    )
    added = len(result.all())
    await _drop_proposals(session, data)
    return added


async def accept_model_tag(session: AsyncSession, entity_id: int, tag_id: int) -> bool:
    return await accept_model_tags(session, [(entity_id, tag_id)]) == 1


async def reject_model_tags(session: AsyncSession, pairs: Iterable[tuple[int, int]]) -> int:
    """Remember that these tags are wrong for these assets; no model proposes them there again."""
    data = _pairs_json(pairs)
    result = await session.execute(
        text(
            or_ignore(
                session,
                "INSERT OR IGNORE INTO component_rejected_model_tag (entity_id, tag_concept_entity_id)"
                " SELECT p.e, p.t FROM " + _pairs(session) + " p"
                " WHERE EXISTS (SELECT 1 FROM entities x WHERE x.id = p.e)"
                " RETURNING entity_id",
            )
        ),
        {"pairs": data},
    )
    rejected = len(result.all())
    await _drop_proposals(session, data)
    return rejected


async def reject_model_tag(session: AsyncSession, entity_id: int, tag_id: int) -> None:
    await reject_model_tags(session, [(entity_id, tag_id)])


async def _drop_proposals(session: AsyncSession, pairs_json: str) -> None:
    await session.execute(
        text(
            "DELETE FROM component_model_generated_tag_link WHERE EXISTS (SELECT 1 FROM "
            + _pairs(session)
            + " p"
            " WHERE p.e = entity_id AND p.t = tag_concept_entity_id)"
        ),
        {"pairs": pairs_json},
    )


async def bulk_accept_model_tags(
    session: AsyncSession, *, min_confidence: float, tag: str | None = None, model_name: str | None = None
) -> int:
    """Accept every open proposal at or above `min_confidence` (optionally of one tag or model)."""
    where, params = _proposal_filters(tag, min_confidence, model_name)
    rows = await session.execute(
        text("SELECT DISTINCT m.entity_id, m.tag_concept_entity_id" + _PROPOSAL_FROM + " WHERE " + where),
        params,
    )
    return await accept_model_tags(session, [(int(r[0]), int(r[1])) for r in rows.all()])


async def rejected_tags_of(session: AsyncSession, entity_id: int) -> list[str]:
    stmt = (
        select(TagConceptComponent.tag_name)
        .join(
            RejectedModelTagComponent,
            RejectedModelTagComponent.tag_concept_entity_id == TagConceptComponent.entity_id,
        )
        .where(RejectedModelTagComponent.entity_id == entity_id)
        .order_by(TagConceptComponent.tag_name)
    )
    return list((await session.scalars(stmt)).all())
