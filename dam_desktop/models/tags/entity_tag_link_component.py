from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from dam_desktop.models.core.base_component import BaseComponent

# The unique constraint below, as the naming convention names it.
PAIR_UNIQUE = "uq_component_entity_tag_link_entity_id_tag_concept_entity_id"
BY_TAG = "ix_entity_tag_link_tag_entity"
# The pair's indexes as written here are SQLite's. On PostgreSQL migration 0028 makes the (tag,
# entity) index the unique one and adds an (entity) index carrying the tag, so that the server
# looks a tag check up in the tag's own range (see there); the models cannot say "on one dialect",
# so the comparison of models and migrations leaves these three out.
PER_DIALECT_INDEXES = frozenset({PAIR_UNIQUE, BY_TAG, "ix_entity_tag_link_entity"})


class EntityTagLinkComponent(BaseComponent):
    """A tag a person applied to an entity, optionally with a value (spec §2.7)."""

    __tablename__ = "component_entity_tag_link"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (
            UniqueConstraint("entity_id", "tag_concept_entity_id"),
            # Tag -> entities is the hot direction for queries; covering index keeps it in the index.
            Index(BY_TAG, "tag_concept_entity_id", "entity_id"),
        )

    @declared_attr
    def entity_id(cls) -> Mapped[int]:
        # No index of its own: the unique (entity_id, tag) index serves every lookup by entity, and
        # one index fewer makes bulk tagging of scattered assets write a third fewer pages (on
        # PostgreSQL an (entity) index takes the unique one's place: `PER_DIALECT_INDEXES`).
        return mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), nullable=False, init=False)

    tag_concept_entity_id: Mapped[int] = mapped_column(Integer, ForeignKey("entities.id", ondelete="CASCADE"))
    tag_value: Mapped[str | None] = mapped_column(String(1024), default=None)
