"""BaseComponent: a row of data attached to one entity (spec §2.3, §2.8)."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from dam_desktop.models.core.base_class import Base
from dam_desktop.models.core.entity import Entity


class BaseComponent(Base):
    """Every component has its own table, `component_<name>`, keyed to an entity.

    `entity_id` and `entity` are not constructor arguments: a component is created with its own
    data and attached with `ecs_service.add_component_to_entity`. Deleting the entity deletes its
    components through the database's ON DELETE CASCADE, not through ORM bookkeeping.
    """

    __abstract__ = True

    # True for components an entity holds at most one of (a file's properties, its hash).
    single_per_entity: ClassVar[bool] = False

    id: Mapped[int] = mapped_column(Integer, primary_key=True, init=False)

    @declared_attr
    def entity_id(cls) -> Mapped[int]:
        return mapped_column(
            ForeignKey("entities.id", ondelete="CASCADE"), index=True, nullable=False, init=False
        )

    @declared_attr
    def entity(cls) -> Mapped[Entity]:
        # Named explicitly: link components have a second foreign key to entities (the tag's).
        return relationship(
            Entity,
            foreign_keys=f"{cls.__name__}.entity_id",
            init=False,
            repr=False,
            lazy="raise",
            passive_deletes=True,
        )

    def __repr_base__(self) -> str:
        return f"id={self.id}, entity_id={self.entity_id}"
