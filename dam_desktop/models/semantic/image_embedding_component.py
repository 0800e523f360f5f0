"""Image embeddings: one table per CLIP model (the text→image and image→image spaces).

A CLIP model's image and text towers share one space, so a text query is encoded with the same
model whose table it searches. Each asset holds at most one vector per model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from sqlalchemy import LargeBinary, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from dam_desktop.models.core.base_component import BaseComponent
from dam_desktop.models.semantic.text_embedding_component import AUTOINCREMENT, params_match


class BaseSpecificImageEmbeddingComponent(BaseComponent):
    """A float32 vector (little-endian bytes) of the asset's pixels, L2 normalised."""

    __abstract__ = True
    single_per_entity = True

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("entity_id"), AUTOINCREMENT)

    embedding_vector: Mapped[bytes] = mapped_column(LargeBinary)


class ImageEmbeddingClipViTB32Dim512Component(BaseSpecificImageEmbeddingComponent):
    """CLIP ViT-B/32 (open_clip `ViT-B-32`, pretrained `laion2b_s34b_b79k`), 512 dimensions."""

    __tablename__ = "component_embedding_clip_vit_b32_d512"


class ImageEmbeddingClipViTL14Dim768Component(BaseSpecificImageEmbeddingComponent):
    """CLIP ViT-L/14 (open_clip `ViT-L-14`, pretrained `laion2b_s32b_b82k`), 768 dimensions."""

    __tablename__ = "component_embedding_clip_vit_l14_d768"


class ImageEmbeddingModelInfo(TypedDict):
    model_class: type[BaseSpecificImageEmbeddingComponent]
    # open_clip's architecture name and pretrained tag, as in the model catalogue
    # (resources/models/catalogue.json): the same checkpoint serves image search and AI tags.
    default_params: dict[str, Any]


IMAGE_EMBEDDING_MODEL_REGISTRY: dict[str, ImageEmbeddingModelInfo] = {
    "clip-vit-b-32": {
        "model_class": ImageEmbeddingClipViTB32Dim512Component,
        "default_params": {
            "architecture": "ViT-B-32",
            "pretrained": "laion2b_s34b_b79k",
            "dimensions": 512,
            "hf_hub": "laion/CLIP-ViT-B-32-laion2B-s34B-b79K/open_clip_model.safetensors",
        },
    },
    "clip-vit-l-14": {
        "model_class": ImageEmbeddingClipViTL14Dim768Component,
        "default_params": {
            "architecture": "ViT-L-14",
            "pretrained": "laion2b_s32b_b82k",
            "dimensions": 768,
            "hf_hub": "laion/CLIP-ViT-L-14-laion2B-s32B-b82K/open_clip_pytorch_model.bin",
        },
    },
}

DEFAULT_IMAGE_EMBEDDING_MODEL = "clip-vit-b-32"


def get_image_embedding_component_class(
    model_name: str, model_params: Mapping[str, Any] | None = None
) -> type[BaseSpecificImageEmbeddingComponent] | None:
    """The table for CLIP model `model_name`, or None if the registry does not know it."""
    info = IMAGE_EMBEDDING_MODEL_REGISTRY.get(model_name)
    if info is None or not params_match(info["default_params"], model_params):
        return None
    return info["model_class"]
