from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class TagConceptComponent(BaseComponent):
    """A canonical tag, stored once, on an entity that stands for the tag itself (spec §2.7).

    `tag_name` is the full name including any namespace (`character:alice`); `namespace` repeats
    the part before the first colon so namespaces can be listed and filtered cheaply.
    """

    __tablename__ = "component_tag_concept"
    single_per_entity = True

    tag_name: Mapped[str] = mapped_column(String(255), unique=True)
    namespace: Mapped[str | None] = mapped_column(String(128), default=None, index=True)
    tag_description: Mapped[str | None] = mapped_column(Text, default=None)
    color: Mapped[str | None] = mapped_column(String(16), default=None)
