from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.models.core.base_component import BaseComponent

# The grid's orders other than "date added" (`SortKey`), each an index in the sort's order ending
# on the entity id: the first screen of a million assets by name is read from the index (about a
# millisecond) instead of sorting them all (half a second), and each following page starts where
# the last ended (`SortKey.after`). Names are compared without case (COLLATE NOCASE), which
# SQLAlchemy's reflection cannot describe: the migration (0018) writes them, and the comparison of
# models and migrations leaves them out.
NAME_ORDER = "ix_file_properties_name_order"  # (original_filename COLLATE NOCASE, entity_id)
SIZE_ORDER = "ix_file_properties_size_order"  # (file_size_bytes, entity_id)
TYPE_ORDER = "ix_file_properties_type_order"  # (asset_type, file_extension, name NOCASE, entity_id)
SORT_ORDER_INDEXES = frozenset({NAME_ORDER, SIZE_ORDER, TYPE_ORDER})


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
