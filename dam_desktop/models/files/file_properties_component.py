from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class FilePropertiesComponent(BaseComponent):
    """What the file was when it came in: its name, size and type."""

    __tablename__ = "component_file_properties"
    single_per_entity = True

    original_filename: Mapped[str] = mapped_column(String(1024), index=True)
    file_size_bytes: Mapped[int] = mapped_column(BigInteger, index=True)
    mime_type: Mapped[str] = mapped_column(String(255))
    # Lower-case, without the dot; `ext:png` queries use it.
    file_extension: Mapped[str] = mapped_column(String(32), index=True, default="")
    # "image", "audio" or "other"; `type:` queries and the grid's badges use it.
    asset_type: Mapped[str] = mapped_column(String(16), index=True, default="other")
