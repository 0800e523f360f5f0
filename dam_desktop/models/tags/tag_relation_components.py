"""How tags relate: aliases (siblings) and parents (implication)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class TagAliasComponent(BaseComponent):
    """On a tag's entity: another name that means this tag (`kitty` -> `cat`). Alias names are unique."""

    __tablename__ = "component_tag_alias"

    alias_name: Mapped[str] = mapped_column(String(255), unique=True)


class TagParentComponent(BaseComponent):
    """On a child tag's entity: the tag it implies (`cat` implies `animal`)."""

    __tablename__ = "component_tag_parent"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (UniqueConstraint("entity_id", "parent_tag_entity_id"),)

    parent_tag_entity_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("entities.id", ondelete="CASCADE"), index=True
    )
