from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class SavedSearchComponent(BaseComponent):
    """A named tag query kept in the library, on an entity of its own (shown in the sidebar)."""

    __tablename__ = "component_saved_search"
    single_per_entity = True

    name: Mapped[str] = mapped_column(String(255), unique=True)
    query: Mapped[str] = mapped_column(Text)
