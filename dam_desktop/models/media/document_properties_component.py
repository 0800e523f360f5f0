from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.models.core.base_component import BaseComponent


class DocumentPropertiesComponent(BaseComponent):
    """PDFs and fonts: the page count (PDF) and a title (the PDF's own, or a font's family and style)."""

    __tablename__ = "component_document_properties"
    single_per_entity = True

    page_count: Mapped[int | None] = mapped_column(Integer, default=None)
    title: Mapped[str | None] = mapped_column(String(255), default=None)
