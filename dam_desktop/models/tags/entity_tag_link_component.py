from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class EntityTagLinkComponent(BaseComponent):
    """A tag a person applied to an entity, optionally with a value (spec §2.7)."""

    __tablename__ = "component_entity_tag_link"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (
            UniqueConstraint("entity_id", "tag_concept_entity_id"),
            # Tag -> entities is the hot direction for queries; covering index keeps it in the index.
            Index("ix_entity_tag_link_tag_entity", "tag_concept_entity_id", "entity_id"),
        )

    @declared_attr
    def entity_id(cls) -> Mapped[int]:
        # No index of its own: the unique (entity_id, tag) index serves every lookup by entity, and
        # one index fewer makes bulk tagging of scattered assets write a third fewer pages.
        return mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), nullable=False, init=False)

    tag_concept_entity_id: Mapped[int] = mapped_column(Integer, ForeignKey("entities.id", ondelete="CASCADE"))
    tag_value: Mapped[str | None] = mapped_column(String(1024), default=None)
