from __future__ import annotations

from sqlalchemy import LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class ContentHashSHA256Component(BaseComponent):
    """The asset's identity: the sha256 of its bytes (32 raw bytes). Unique across the library."""

    __tablename__ = "component_content_hash_sha256"
    single_per_entity = True

    hash_value: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
