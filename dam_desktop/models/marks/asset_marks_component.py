from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.core.schema_names import FLAGS as FLAGS
from dam_desktop.core.schema_names import LABELS as LABELS  # as digiKam, Lightroom and Bridge name them
from dam_desktop.core.schema_names import MAX_RATING as MAX_RATING
from dam_desktop.models.core.base_component import BaseComponent


class AssetMarksComponent(BaseComponent):
    """What a person says about an asset beyond tags: a rating (0 to 5 stars, 0 unrated), a colour
    label, a pick/reject flag, a free-text note and where it came from (a URL).

    One row per asset, only once any of these is set; an asset without a row is unrated, unlabelled
    and unflagged. `rating:`, `label:` and `flag:` queries read the indexed columns.
    """

    __tablename__ = "component_asset_marks"
    __table_args__ = (
        Index("ix_asset_marks_rating_entity", "rating", "entity_id"),
        Index("ix_asset_marks_label_entity", "label", "entity_id"),
        Index("ix_asset_marks_flag_entity", "flag", "entity_id"),
    )
    single_per_entity = True

    rating: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    label: Mapped[str | None] = mapped_column(String(16), default=None)
    flag: Mapped[str | None] = mapped_column(String(8), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    source_url: Mapped[str | None] = mapped_column(String(2048), default=None)
