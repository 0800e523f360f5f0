"""The text an asset's text embedding is made of: its name in words, then its tags.

Manual tags always (when asked for), model-proposed tags when `ModelTagsConfig` asks for them;
`source_field_name` then ends in `_with_tags`, so a search can tell the two kinds of rows apart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.models.files import FilePropertiesComponent
from dam_desktop.models.tags import (
    EntityTagLinkComponent,
    ModelGeneratedTagLinkComponent,
    TagConceptComponent,
)

SOURCE_FIELD = "original_filename"
WITH_TAGS_SUFFIX = "_with_tags"


@dataclass(frozen=True)
class ModelTagsConfig:
    """Which model-proposed tags join the embedded text: from `model_name` (any if None), confident enough."""

    model_name: str | None = None
    min_confidence: float = 0.5


_SEPARATORS = re.compile(r"[_\-.+]+|(?<=[a-z])(?=[A-Z])")


def name_to_text(filename: str) -> str:
    """`red_sports-car.night.JPG` -> `red sports car night` (the words a person would type)."""
    stem = PurePath(filename).stem or filename
    return " ".join(_SEPARATORS.sub(" ", stem).split())


def tag_to_text(tag_name: str) -> str:
    return " ".join(tag_name.replace(":", " ").replace("_", " ").split())


async def _manual_tags(session: AsyncSession, entity_ids: Sequence[int]) -> dict[int, list[str]]:
    stmt = (
        select(EntityTagLinkComponent.entity_id, TagConceptComponent.tag_name)
        .join(
            TagConceptComponent, TagConceptComponent.entity_id == EntityTagLinkComponent.tag_concept_entity_id
        )
        .where(EntityTagLinkComponent.entity_id.in_(list(entity_ids)))
        .order_by(EntityTagLinkComponent.entity_id, TagConceptComponent.tag_name)
    )
    tags: dict[int, list[str]] = {}
    for entity_id, name in (await session.execute(stmt)).all():
        tags.setdefault(entity_id, []).append(name)
    return tags


async def _model_tags(
    session: AsyncSession, entity_ids: Sequence[int], config: ModelTagsConfig
) -> dict[int, list[str]]:
    link = ModelGeneratedTagLinkComponent
    stmt = (
        select(link.entity_id, TagConceptComponent.tag_name)
        .join(TagConceptComponent, TagConceptComponent.entity_id == link.tag_concept_entity_id)
        .where(link.entity_id.in_(list(entity_ids)), link.confidence >= config.min_confidence)
        .order_by(link.entity_id, link.confidence.desc())
    )
    if config.model_name is not None:
        stmt = stmt.where(link.source_model_name == config.model_name)
    tags: dict[int, list[str]] = {}
    for entity_id, name in (await session.execute(stmt)).all():
        bucket = tags.setdefault(entity_id, [])
        if name not in bucket:
            bucket.append(name)
    return tags


@dataclass(frozen=True)
class EmbeddingText:
    entity_id: int
    text: str
    source_field_name: str


async def texts_for_entities(
    session: AsyncSession,
    entity_ids: Sequence[int],
    *,
    include_manual_tags: bool = True,
    include_model_tags_config: ModelTagsConfig | None = None,
) -> list[EmbeddingText]:
    """The text each asset's embedding is made of: its name, then its tags when asked for and present."""
    names = dict(
        (
            await session.execute(
                select(FilePropertiesComponent.entity_id, FilePropertiesComponent.original_filename).where(
                    FilePropertiesComponent.entity_id.in_(list(entity_ids))
                )
            )
        ).all()
    )
    manual = await _manual_tags(session, list(names)) if include_manual_tags else {}
    model = (
        await _model_tags(session, list(names), include_model_tags_config)
        if include_model_tags_config
        else {}
    )
    texts: list[EmbeddingText] = []
    for entity_id in entity_ids:
        if entity_id not in names:
            continue
        tags = list(dict.fromkeys([*manual.get(entity_id, []), *model.get(entity_id, [])]))
        base = name_to_text(names[entity_id])
        if tags:
            text = f"{base}. {', '.join(tag_to_text(t) for t in tags)}"
            texts.append(EmbeddingText(entity_id, text, SOURCE_FIELD + WITH_TAGS_SUFFIX))
        else:
            texts.append(EmbeddingText(entity_id, base, SOURCE_FIELD))
    return texts
