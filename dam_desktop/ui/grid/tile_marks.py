"""Marks on the tiles: a colour label as a frame around the picture, stars and pick/reject in a
small pill at its top-right corner. The grid's `TileDelegate` asks `TileMarks.paint` for each tile;
`ui/marks/install.py` keeps `marks` filled for the tiles whose facts the grid holds."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPixmap

LABEL_COLOURS = {
    "red": "#e5484d",
    "orange": "#f76b15",
    "yellow": "#ffc53d",
    "green": "#30a46c",
    "blue": "#0090ff",
    "purple": "#8e4ec6",
    "gray": "#8b8d98",
}
STAR_COLOUR = QColor("#f5b83d")
PILL_FILL = QColor(0, 0, 0, 160)
MIN_TILE_FOR_STARS = 72  # smaller tiles keep only the label frame


@dataclass(frozen=True)
class TileMark:
    rating: int = 0
    label: str | None = None
    flag: str | None = None

    @property
    def empty(self) -> bool:
        return not self.rating and self.label is None and self.flag is None


class TileMarks:
    def __init__(self, font: QFont, ratio: float = 1.0) -> None:
        self.marks: dict[int, TileMark] = {}
        self.font = QFont(font)
        self.metrics = QFontMetrics(self.font)
        self.ratio = ratio
        self._pills: dict[tuple[int, str | None], QPixmap] = {}

    def paint(self, painter: QPainter, image: QRect, entity_id: int) -> None:
        mark = self.marks.get(entity_id)
        if mark is None:
            return
        if mark.label in LABEL_COLOURS:
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor(LABEL_COLOURS[mark.label]), 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(image).adjusted(-2.5, -2.5, 2.5, 2.5), 4, 4)
            painter.restore()
        if (mark.rating or mark.flag) and image.width() >= MIN_TILE_FOR_STARS:
            pill = self._pill(mark.rating, mark.flag)
            width = int(pill.width() / pill.devicePixelRatio())
            painter.drawPixmap(QPoint(image.right() - width - 3, image.top() + 4), pill)

    def _pill(self, rating: int, flag: str | None) -> QPixmap:
        key = (rating, flag)
        cached = self._pills.get(key)
        if cached is not None:
            return cached
        flag_text = {"pick": "✓", "reject": "✕"}.get(flag or "", "")
        stars = "★" * rating
        text = f"{flag_text} {stars}".strip()
        height = self.metrics.height() + 2
        width = self.metrics.horizontalAdvance(text) + 10
        pixmap = QPixmap(int(width * self.ratio), int(height * self.ratio))
        pixmap.setDevicePixelRatio(self.ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, width, height), height / 2, height / 2)
        painter.fillPath(path, PILL_FILL)
        painter.setFont(self.font)
        x = 5
        if flag_text:
            painter.setPen(QColor("#3dd68c") if flag == "pick" else QColor("#ff6369"))
            painter.drawText(QRectF(x, 0, width, height), int(Qt.AlignmentFlag.AlignVCenter), flag_text)
            x += self.metrics.horizontalAdvance(flag_text + " ")
        painter.setPen(STAR_COLOUR)
        painter.drawText(QRectF(x, 0, width, height), int(Qt.AlignmentFlag.AlignVCenter), stars)
        painter.end()
        self._pills[key] = pixmap
        return pixmap
