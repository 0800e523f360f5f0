"""Marker components: "this entity still needs X". Systems drain them in batches."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class BaseMarker(BaseComponent):
    """A marker stays until a system finishes its entity.

    A system that fails an entity leaves the marker in place and the scheduler records why
    (`attempts`, `last_error`); after `MAX_ATTEMPTS` the entity is no longer handed to systems,
    so one bad file cannot make a stage loop forever, and the reason stays visible.
    """

    __abstract__ = True

    single_per_entity = True
    MAX_ATTEMPTS = 3

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("entity_id"),)

    @declared_attr
    def entity_id(cls) -> Mapped[int]:
        # No index of its own: the unique constraint's serves every lookup, and a second one on
        # the same column only cost writes (a 10k-asset tag edit writes 10k text-embedding markers;
        # migration 0038).
        return mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), nullable=False, init=False)

    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)
    last_error: Mapped[str | None] = mapped_column(String(2000), default=None, nullable=True)
