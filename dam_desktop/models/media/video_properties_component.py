from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class VideoPropertiesComponent(BaseComponent):
    """A video's time and codecs. Its picture size and frame count are in the image properties,
    like any picture's, so `width:`, `height:` and the grid treat stills and clips alike."""

    __tablename__ = "component_video_properties"
    single_per_entity = True

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        # `duration:` checks clips per asset by entity id, as it does sounds.
        return (Index("ix_video_properties_entity_duration", "entity_id", "duration_seconds"),)

    @declared_attr
    def entity_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), nullable=False, init=False)

    duration_seconds: Mapped[float] = mapped_column(Float, index=True)
    video_codec: Mapped[str] = mapped_column(String(32))
    frame_rate: Mapped[float | None] = mapped_column(Float, default=None)
    audio_codec: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
