"""The text an asset's text embedding is made of: its name in words, then its tags.

Manual tags always (when asked for), model-proposed tags when `ModelTagsConfig` asks for them;
`source_field_name` then says `_with_tags`, so a search can tell the two kinds of rows apart.

A camera's counter (`IMG_2104`, `DSC_0042`, `PXL_20240101_123456`) says nothing a person would
search for, and it pulls the embedding of a tagged photo away from its tags: on the labelled set of
`scripts/search_eval.py`, tagged photos named by their camera were the ones the tags failed to
find. So when an asset has tags, the counter is left out of its text (a name that is only a counter
and has no tags keeps it: there is nothing else to embed).

`TEXT_VERSION` is part of every row's `source_field_name` (`original_filename@v2`); a migration
marks the assets whose rows carry an older version, so the pipeline embeds them again.
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
TEXT_VERSION = 2
VERSION_MARK = f"@v{TEXT_VERSION}"


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


# A camera's file counter: a maker's prefix, digits, and more digit groups (a date and a time).
_CAMERA_COUNTER = re.compile(
    r"(?<![A-Za-z0-9])(?:IMG|DSC[FN]?|PXL|MVIMG|VID|PANO|GOPR|DJI|CIMG)[_\-]?\d+(?:[_\-]\d+)*(?![A-Za-z0-9])",
    re.IGNORECASE,
)


def without_camera_counter(filename: str) -> str:
    """The name's words with any camera counter left out (`IMG_2104_beach.jpg` -> `beach`)."""
    stem = PurePath(filename).stem or filename
    return name_to_text(_CAMERA_COUNTER.sub(" ", stem) + ".x")


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
        if tags:
            base = without_camera_counter(names[entity_id])
            tag_text = ", ".join(tag_to_text(t) for t in tags)
            text = f"{base}. {tag_text}" if base else tag_text
            texts.append(EmbeddingText(entity_id, text, SOURCE_FIELD + WITH_TAGS_SUFFIX + VERSION_MARK))
        else:
            texts.append(
                EmbeddingText(entity_id, name_to_text(names[entity_id]), SOURCE_FIELD + VERSION_MARK)
            )
    return texts
