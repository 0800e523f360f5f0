"""Components, markers, resources and events used only by the kernel's tests.

They live on their own metadata so they never appear in the app's schema or migrations; tests
create their tables next to the real ones in the same library database.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.core.events import BaseEvent
from dam_desktop.models.core.base_component import BaseComponent
from dam_desktop.models.core.markers import BaseMarker


class NoteComponent(BaseComponent):
    __tablename__ = "component_test_note"
    text: Mapped[str] = mapped_column(String(200))


class NeedsProcessingMarker(BaseMarker):
    __tablename__ = "component_test_marker_needs_processing"


TEST_TABLES = [NoteComponent.__table__, NeedsProcessingMarker.__table__]


@dataclass
class Greeting:
    text: str


@dataclass(kw_only=True)
class EchoQuery(BaseEvent):
    text: str
