from __future__ import annotations

from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class FileLocationComponent(BaseComponent):
    """One place the asset's bytes can be read from. An asset may have several."""

    __tablename__ = "component_file_location"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("entity_id", "storage_type", "path"),)

    storage_type: Mapped[str] = mapped_column(String(16))
    # Managed copies: relative to the library root (files/ab/cd/<sha256>), so a library folder can
    # move. References: absolute path as the OS gave it.
    path: Mapped[str] = mapped_column(String(4096), index=True)
    # Where a managed copy was imported from, kept for "reveal original" and re-import checks.
    source_path: Mapped[str | None] = mapped_column(String(4096), default=None, index=True)
