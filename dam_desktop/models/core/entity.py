"""The entity: an identifier that components attach to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, func
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.models.core.base_class import Base


class Entity(Base):
    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, init=False)
    # When the entity entered the library; `added:` queries and the default sort use it.
    created_at: Mapped[datetime] = mapped_column(
        DateTime, server_default=func.current_timestamp(), index=True, init=False
    )

    def __repr__(self) -> str:
        return f"Entity(id={self.id})"
