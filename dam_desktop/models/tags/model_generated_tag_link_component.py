from __future__ import annotations

from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class ModelGeneratedTagLinkComponent(BaseComponent):
    """A tag proposed by a model, with its confidence, awaiting review (spec §2.7)."""

    __tablename__ = "component_model_generated_tag_link"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (
            UniqueConstraint("entity_id", "tag_concept_entity_id", "source_model_name"),
            Index("ix_model_tag_link_tag_confidence", "tag_concept_entity_id", "confidence"),
        )

    tag_concept_entity_id: Mapped[int] = mapped_column(Integer, ForeignKey("entities.id", ondelete="CASCADE"))
    source_model_name: Mapped[str] = mapped_column(String(255), index=True)
    confidence: Mapped[float] = mapped_column(Float, index=True)


class RejectedModelTagComponent(BaseComponent):
    """A proposal a person rejected: that tag is not proposed again for that entity."""

    __tablename__ = "component_rejected_model_tag"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("entity_id", "tag_concept_entity_id"),)

    tag_concept_entity_id: Mapped[int] = mapped_column(Integer, ForeignKey("entities.id", ondelete="CASCADE"))
