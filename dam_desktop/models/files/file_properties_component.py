from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.core.schema_names import MEDIA_ORDER_INDEXES as MEDIA_ORDER_INDEXES
from dam_desktop.core.schema_names import NAME_ORDER as NAME_ORDER
from dam_desktop.core.schema_names import SIZE_ORDER as SIZE_ORDER
from dam_desktop.core.schema_names import SORT_ORDER_INDEXES as SORT_ORDER_INDEXES
from dam_desktop.core.schema_names import TYPE_ORDER as TYPE_ORDER
from dam_desktop.models.core.base_component import BaseComponent

# The grid's orders other than "date added" (`SortKey`), each an index in the sort's order ending
# on the entity id: the first screen of a million assets by name is read from the index (about a
# millisecond) instead of sorting them all (half a second), and each following page starts where
# the last ended (`SortKey.after`). Names are compared without case (COLLATE NOCASE), which
# SQLAlchemy's reflection cannot describe: the migration (0018) writes them, and the comparison of
# models and migrations leaves them out. Their names live in `core.schema_names`; so do those of
# the orders by date taken, dimensions (pixel count), duration and rating: facts of other
# components, copied here by triggers (migration 0021) so that every walk of the planner orders by
# a column of `fp` as it does for the orders above.


class FilePropertiesComponent(BaseComponent):
    """What the file was when it came in: its name, size and type."""

    __tablename__ = "component_file_properties"
    single_per_entity = True

    original_filename: Mapped[str] = mapped_column(String(1024), index=True)
    # No index of its own: the size order's (size, entity id) serves lookups by size too.
    file_size_bytes: Mapped[int] = mapped_column(BigInteger)
    mime_type: Mapped[str] = mapped_column(String(255))
    # Lower-case, without the dot; `ext:png` queries use it.
    file_extension: Mapped[str] = mapped_column(String(32), index=True, default="")
    # "image", "audio" or "other"; `type:` queries and the grid's badges use it.
    asset_type: Mapped[str] = mapped_column(String(16), index=True, default="other")
    # Copies kept by triggers, for the grid's orders (see `MEDIA_ORDER_INDEXES`); never written here.
    # The EXIF date of an image, the creation time of a clip.
    sort_taken_at: Mapped[datetime | None] = mapped_column(DateTime, default=None, init=False)
    sort_pixels: Mapped[int | None] = mapped_column(BigInteger, default=None, init=False)  # width × height
    sort_duration: Mapped[float | None] = mapped_column(Float, default=None, init=False)  # sounds, clips
    sort_rating: Mapped[int | None] = mapped_column(Integer, default=None, init=False)  # 1-5; NULL unrated
