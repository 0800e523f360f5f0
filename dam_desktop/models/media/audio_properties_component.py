from __future__ import annotations

from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class AudioPropertiesComponent(BaseComponent):
    __tablename__ = "component_audio_properties"
    single_per_entity = True

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        # `duration:` query terms are checked per asset by entity id: one lookup in this index.
        return (Index("ix_audio_properties_entity_duration", "entity_id", "duration_seconds"),)

    @declared_attr
    def entity_id(cls) -> Mapped[int]:
        # No index of its own: the (entity_id, duration_seconds) index serves every lookup by entity.
        return mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), nullable=False, init=False)

    duration_seconds: Mapped[float] = mapped_column(Float, index=True)
    sample_rate: Mapped[int] = mapped_column(Integer)
    channels: Mapped[int] = mapped_column(Integer)
    # Container and encoding as libsndfile names them, e.g. "FLAC" / "PCM_16".
    audio_format: Mapped[str] = mapped_column(String(32))
    subtype: Mapped[str | None] = mapped_column(String(32), default=None)
    # Tags the file carries (ID3, MP4, Vorbis comments), as read at import.
    title: Mapped[str | None] = mapped_column(String(255), default=None)
    artist: Mapped[str | None] = mapped_column(String(255), default=None, index=True)
    album: Mapped[str | None] = mapped_column(String(255), default=None)
    genre: Mapped[str | None] = mapped_column(String(255), default=None)
    bpm: Mapped[float | None] = mapped_column(Float, default=None, index=True)
    musical_key: Mapped[str | None] = mapped_column(String(32), default=None)
