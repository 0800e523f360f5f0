"""Image embeddings (spec §2.5): one table for every image–text model, each row naming its model.

A CLIP model's image and text towers share one space, so a text query is encoded with the same
model whose rows it searches, and only those rows: vectors of two models are never compared.
Each asset holds at most one vector per model. `model_name` is the model catalogue's name
(`clip-vit-b-32`, ...), so any catalogue entry, shipped or added, embeds without a schema change,
and switching a library's model keeps the other model's rows (switching back costs nothing).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from dam_desktop.models.core.base_class import Base
from dam_desktop.models.core.base_component import BaseComponent
from dam_desktop.models.semantic.text_embedding_component import AUTOINCREMENT

DEFAULT_IMAGE_EMBEDDING_MODEL = "clip-vit-b-32"


class ImageEmbeddingComponent(BaseComponent):
    """A float32 vector (little-endian bytes) of the asset's pixels, L2 normalised, and its model."""

    __tablename__ = "component_image_embedding"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        # (model_name, id): the vector index's "anything new for this model?" is one b-tree seek.
        return (
            UniqueConstraint("entity_id", "model_name"),
            Index("ix_component_image_embedding_model_id", "model_name", "id"),
            AUTOINCREMENT,
        )

    embedding_vector: Mapped[bytes] = mapped_column(LargeBinary)
    model_name: Mapped[str] = mapped_column(String(255))

    def __repr_base__(self) -> str:
        return f"{super().__repr_base__()}, model_name={self.model_name!r}"


class LibraryModelChoice(Base):
    """Which catalogue model a library uses for a task (`image-search`): one row per task.

    A library, not the computer, holds the choice, because its stored embeddings are that model's.
    """

    __tablename__ = "library_model_choice"

    task: Mapped[str] = mapped_column(String(64), primary_key=True)
    model_name: Mapped[str] = mapped_column(String(255))
