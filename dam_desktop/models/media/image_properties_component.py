from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class ImagePropertiesComponent(BaseComponent):
    """Pixel size as displayed (after EXIF rotation), mode, animation and EXIF facts."""

    __tablename__ = "component_image_properties"
    single_per_entity = True

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        # `width:` / `height:` query terms are checked per asset by entity id: with the sizes in
        # the index, that is one lookup, without a second one into the table.
        return (Index("ix_image_properties_entity_size", "entity_id", "width", "height"),)

    @declared_attr
    def entity_id(cls) -> Mapped[int]:
        # No index of its own: the (entity_id, width, height) index serves every lookup by entity.
        return mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), nullable=False, init=False)

    width: Mapped[int] = mapped_column(Integer, index=True)
    height: Mapped[int] = mapped_column(Integer, index=True)
    mode: Mapped[str] = mapped_column(String(16))
    is_animated: Mapped[bool] = mapped_column(Boolean, default=False)
    frame_count: Mapped[int] = mapped_column(Integer, default=1)
    # The EXIF Orientation tag (1-8) that was applied to get width/height; None when absent.
    exif_orientation: Mapped[int | None] = mapped_column(Integer, default=None)
    exif_datetime: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    camera_make: Mapped[str | None] = mapped_column(String(255), default=None)
    camera_model: Mapped[str | None] = mapped_column(String(255), default=None)
