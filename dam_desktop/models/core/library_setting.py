"""Facts about a library that every workstation must agree on, one row per key.

A shared (PostgreSQL) library records here where its store folder is (`store_root`): the path as
the workstation that created it sees it. Each workstation maps it to its own mount point.
"""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.models.core.base_class import Base


class LibrarySetting(Base):
    __tablename__ = "library_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
