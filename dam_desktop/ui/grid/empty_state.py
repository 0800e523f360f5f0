"""What an empty grid shows: an icon, a title and a hint (drop files here; the trash is empty)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QPainter
from PySide6.QtWidgets import QStyle

if TYPE_CHECKING:
    from dam_desktop.ui.grid.grid_view import AssetGridView


def paint_empty_state(view: AssetGridView, painter: QPainter) -> None:
    area = view.viewport().rect()
    icon = view.style().standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton)
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
    title_rect = QRect(area.left(), centre.y() - 12, area.width(), 36)
    painter.drawText(title_rect, int(Qt.AlignmentFlag.AlignCenter), view.empty_title)
    painter.setFont(view.font())
    painter.setPen(view.delegate.colors.dim_text)
    hint_rect = QRect(area.left() + 20, centre.y() + 28, area.width() - 40, 48)
    painter.drawText(
        hint_rect,
        int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
        view.empty_hint,
    )
