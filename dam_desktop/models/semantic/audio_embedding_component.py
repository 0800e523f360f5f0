"""Audio embeddings (spec §2.6): one table per audio model, each row naming its model.

`soundprint-v2` needs no downloaded weights (`dam_desktop.ml.sound_fingerprint`), so "find
similar sounds" works on any machine; it replaced `logmel-stats-v1`, whose table stays so a
library opened by an older version keeps answering until the pipeline has recomputed its sounds.
CLAP adds text→audio search where its weights are installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from sqlalchemy import LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from dam_desktop.models.core.base_component import BaseComponent
from dam_desktop.models.semantic.text_embedding_component import AUTOINCREMENT, params_match


class BaseSpecificAudioEmbeddingComponent(BaseComponent):
    """A float32 vector (little-endian bytes) of the asset's sound, and the model that made it."""

    __abstract__ = True

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("entity_id", "model_name"), AUTOINCREMENT)

    embedding_vector: Mapped[bytes] = mapped_column(LargeBinary)
    model_name: Mapped[str] = mapped_column(String(255), index=True)

    def __repr_base__(self) -> str:
        return f"{super().__repr_base__()}, model_name={self.model_name!r}"


class AudioEmbeddingLogMelStatsDim224Component(BaseSpecificAudioEmbeddingComponent):
    """Weights-free: log-mel band statistics and modulation, 224 dimensions."""

    __tablename__ = "component_audio_embedding_logmel_d224"


class AudioEmbeddingSoundprintV2Dim128Component(BaseSpecificAudioEmbeddingComponent):
    """Weights-free, robust to codecs, noise, trims and speed: band-limited spectral statistics,
    modulation spectrum and rhythm, 128 dimensions."""

    __tablename__ = "component_audio_embedding_soundprint_d128"


class AudioEmbeddingClapHtsatUnfusedDim512Component(BaseSpecificAudioEmbeddingComponent):
    """LAION CLAP (`laion/clap-htsat-unfused`), 512 dimensions, shared with its text encoder."""

    __tablename__ = "component_audio_embedding_clap_htsat_unfused_d512"


class AudioEmbeddingModelInfo(TypedDict):
    model_class: type[BaseSpecificAudioEmbeddingComponent]
    default_params: dict[str, Any]


LOGMEL_MODEL_NAME = "logmel-stats-v1"
SOUNDPRINT_MODEL_NAME = "soundprint-v2"
CLAP_MODEL_NAME = "clap-htsat-unfused"

AUDIO_EMBEDDING_MODEL_REGISTRY: dict[str, AudioEmbeddingModelInfo] = {
    SOUNDPRINT_MODEL_NAME: {
        "model_class": AudioEmbeddingSoundprintV2Dim128Component,
        "default_params": {"dimensions": 128, "needs_weights": False, "supports_text": False},
    },
    LOGMEL_MODEL_NAME: {
        "model_class": AudioEmbeddingLogMelStatsDim224Component,
        "default_params": {"dimensions": 224, "needs_weights": False, "supports_text": False},
    },
    CLAP_MODEL_NAME: {
        "model_class": AudioEmbeddingClapHtsatUnfusedDim512Component,
        "default_params": {
            "dimensions": 512,
            "needs_weights": True,
            "supports_text": True,
            "hf_repo": "laion/clap-htsat-unfused",
        },
    },
}

DEFAULT_AUDIO_EMBEDDING_MODEL = SOUNDPRINT_MODEL_NAME


def get_audio_embedding_component_class(
    model_name: str, model_params: Mapping[str, Any] | None = None
) -> type[BaseSpecificAudioEmbeddingComponent] | None:
    """The table for audio model `model_name`, or None if the registry does not know it."""
    info = AUDIO_EMBEDDING_MODEL_REGISTRY.get(model_name)
    if info is None or not params_match(info["default_params"], model_params):
        return None
    return info["model_class"]
