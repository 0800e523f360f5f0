from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class AudioPropertiesComponent(BaseComponent):
    __tablename__ = "component_audio_properties"
    single_per_entity = True

    duration_seconds: Mapped[float] = mapped_column(Float, index=True)
    sample_rate: Mapped[int] = mapped_column(Integer)
    channels: Mapped[int] = mapped_column(Integer)
    # Container and encoding as libsndfile names them, e.g. "FLAC" / "PCM_16".
    audio_format: Mapped[str] = mapped_column(String(32))
    subtype: Mapped[str | None] = mapped_column(String(32), default=None)
