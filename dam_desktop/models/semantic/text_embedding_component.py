"""Text embeddings: one table per model and configuration (spec §2.5).

The table says which model made a vector, so rows carry no model name; `source_component_name`
and `source_field_name` say which text was embedded (`FilePropertiesComponent` /
`original_filename`, or `original_filename_with_tags` when the asset's tags were added to it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from dam_desktop.models.core.base_component import BaseComponent

# Row ids are never reused (SQLite AUTOINCREMENT): a replaced vector always gets a new id, which is
# how the in-memory vector index notices it (see services/vector_index.py).
AUTOINCREMENT = {"sqlite_autoincrement": True}


class BaseSpecificEmbeddingComponent(BaseComponent):
    """A float32 vector (little-endian bytes) computed from one field of one of the entity's components."""

    __abstract__ = True

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("entity_id", "source_component_name", "source_field_name"), AUTOINCREMENT)

    embedding_vector: Mapped[bytes] = mapped_column(LargeBinary)
    source_component_name: Mapped[str] = mapped_column(String(255))
    source_field_name: Mapped[str] = mapped_column(String(255))

    def __repr_base__(self) -> str:
        return (
            f"{super().__repr_base__()}, source={self.source_component_name}.{self.source_field_name}, "
            f"bytes={len(self.embedding_vector or b'')}"
        )


class TextEmbeddingAllMiniLML6V2Dim384Component(BaseSpecificEmbeddingComponent):
    """sentence-transformers/all-MiniLM-L6-v2, 384 dimensions, mean pooled and L2 normalised."""

    __tablename__ = "component_embedding_minilm_l6_v2_d384"

    def __repr__(self) -> str:
        return f"TextEmbeddingAllMiniLML6V2Dim384Component({self.__repr_base__()})"


class EmbeddingModelInfo(TypedDict):
    model_class: type[BaseSpecificEmbeddingComponent]
    default_params: dict[str, Any]


EMBEDDING_MODEL_REGISTRY: dict[str, EmbeddingModelInfo] = {
    "all-MiniLM-L6-v2": {
        "model_class": TextEmbeddingAllMiniLML6V2Dim384Component,
        "default_params": {"dimensions": 384},
    },
}

DEFAULT_TEXT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"


def params_match(default_params: Mapping[str, Any], params: Mapping[str, Any] | None) -> bool:
    """True when every given parameter that names a table-defining setting has the table's value."""
    if not params:
        return True
    return all(default_params[key] == value for key, value in params.items() if key in default_params)


def get_embedding_component_class(
    model_name: str, model_params: Mapping[str, Any] | None = None
) -> type[BaseSpecificEmbeddingComponent] | None:
    """The table for `model_name` (with `model_params`, e.g. `{"dimensions": 384}`), or None if unknown."""
    info = EMBEDDING_MODEL_REGISTRY.get(model_name)
    if info is None or not params_match(info["default_params"], model_params):
        return None
    return info["model_class"]
