"""What an empty grid shows: an icon, a title and a hint.

The window says which kind of empty it is (`EmptyState`): a new library (drop files here), a
search with no matches, a search that cannot run (its error), or the empty trash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QPainter
from PySide6.QtWidgets import QStyle

if TYPE_CHECKING:
    from dam_desktop.ui.grid.grid_view import AssetGridView


@dataclass(frozen=True)
class EmptyState:
    title: str
    hint: str
    icon: QStyle.StandardPixmap = QStyle.StandardPixmap.SP_DialogOpenButton


DROP_HERE = EmptyState(
    "Drop images, sounds, videos, PDFs or fonts here",
    "or choose File › Import… to add files and folders to this library",
)
EMPTY_TRASH = EmptyState(
    "The trash is empty",
    "Assets you remove from the library wait here until you empty the trash",
    QStyle.StandardPixmap.SP_TrashIcon,
)


def no_matches(what: str, hint: str) -> EmptyState:
    return EmptyState(f"No matches for {what}", hint, QStyle.StandardPixmap.SP_FileDialogContentsView)


def search_error(message: str) -> EmptyState:
    return EmptyState("This search cannot run", message, QStyle.StandardPixmap.SP_MessageBoxWarning)


def paint_empty_state(view: AssetGridView, painter: QPainter) -> None:
    state = view.empty_state
    area = view.viewport().rect()
    icon = view.style().standardIcon(state.icon)
    edge = 72
    centre = area.center()
    icon_rect = QRect(centre.x() - edge // 2, centre.y() - edge - 24, edge, edge)
    painter.setOpacity(0.6)
    icon.paint(painter, icon_rect)
    painter.setOpacity(1.0)
    title_font = QFont(view.font())
    title_font.setPointSizeF(view.font().pointSizeF() * 1.5)
    title_font.setBold(True)
    painter.setFont(title_font)
    painter.setPen(view.delegate.colors.text)
    title_rect = QRect(area.left() + 20, centre.y() - 12, area.width() - 40, 36)
    title = painter.fontMetrics().elidedText(state.title, Qt.TextElideMode.ElideMiddle, title_rect.width())
    painter.drawText(title_rect, int(Qt.AlignmentFlag.AlignCenter), title)
    painter.setFont(view.font())
    painter.setPen(view.delegate.colors.dim_text)
    hint_rect = QRect(area.left() + 20, centre.y() + 28, area.width() - 40, 64)
    painter.drawText(
        hint_rect,
        int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
        state.hint,
    )
