"""What shows through transparent pictures: a checkerboard, or a plain dark or light backdrop.

Black icons with transparency vanish on the dark tiles; a checkerboard (the default) or a light
backdrop shows their shape. Used by the grid's tiles, the inspector's preview and the overlay.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QBrush, QColor, QPainter, QPixmap

BACKDROPS = {"checker": "Checkerboard", "light": "Light", "dark": "Dark", "none": "None (the tile's colour)"}
DEFAULT_BACKDROP = "checker"
_SOLID = {"light": QColor(236, 238, 242), "dark": QColor(40, 44, 52)}
_CHECKER_CELL = 8
_checker: QBrush | None = None


def _checker_brush() -> QBrush:
    global _checker
    if _checker is None:
        tile = QPixmap(2 * _CHECKER_CELL, 2 * _CHECKER_CELL)
        tile.fill(QColor(204, 207, 212))
        painter = QPainter(tile)
        dark = QColor(160, 164, 171)
        painter.fillRect(0, 0, _CHECKER_CELL, _CHECKER_CELL, dark)
        painter.fillRect(_CHECKER_CELL, _CHECKER_CELL, _CHECKER_CELL, _CHECKER_CELL, dark)
        painter.end()
        _checker = QBrush(tile)
    return _checker


def paint_backdrop(painter: QPainter, rect: QRect | QRectF, kind: str) -> None:
    """Fill `rect` with the backdrop `kind` (a key of BACKDROPS); "none" paints nothing."""
    if kind == "checker":
        painter.save()
        painter.setBrushOrigin(QRectF(rect).topLeft())
        painter.fillRect(QRectF(rect), _checker_brush())
        painter.restore()
    elif kind in _SOLID:
        painter.fillRect(QRectF(rect), _SOLID[kind])


def shows_through(pixmap: QPixmap) -> bool:
    return pixmap.hasAlphaChannel()


def integer_scale(width: float, height: float, box_w: float, box_h: float) -> int:
    """The largest whole-number scale at which a picture smaller than the box still fits (1 if none):
    small icons and pixel art grow by duplicating pixels, never by blurring them."""
    if width <= 0 or height <= 0:
        return 1
    return max(1, int(min(box_w // width, box_h // height)))
