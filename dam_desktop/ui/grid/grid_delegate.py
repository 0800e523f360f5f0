"""Paints one grid tile: the thumbnail (or a placeholder while it loads), a badge and the name.

The view hands the delegate plain values, not QModelIndexes, so painting a screenful of tiles
costs a few hundred QPainter calls and no model round trips.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QPainter,
    QPainterPath,
    QPalette,
    QPixmap,
    QStaticText,
)
from PySide6.QtWidgets import QStyle, QWidget

from dam_desktop.services.browse.browse_sql import TileInfo
from dam_desktop.ui.backdrop import DEFAULT_BACKDROP, integer_scale, paint_backdrop, shows_through
from dam_desktop.ui.grid.tile_marks import TileMarks
from dam_desktop.ui.inspector.formatting import format_time
from dam_desktop.utils.lru import LruCache

if TYPE_CHECKING:
    from dam_desktop.ui.grid.hover_scrub import HoverScrub
    from dam_desktop.ui.grid.type_icons import TypeIcons

TILE_PADDING = 8
LABEL_GAP = 6
# How a tile whose file the last check did not find is marked: its label and colour.
FILE_PROBLEM_MARKS = {
    "missing": ("MISSING", QColor(229, 72, 77)),
    "changed": ("CHANGED", QColor(214, 138, 20)),
}
# Below this tile size the mark is a dot with "!", as the extension badge goes too.
FULL_MARK_MIN_TILE = 96
MISSING_OPACITY = 0.4
ANIMATED_CUE = "▶ ANIM"  # on an animated GIF, WebP or PNG tile
# Thumbnails are at most this big; a smaller one is the picture at its own size.
ORIGINAL_BELOW = 256
LABELS_KEPT = 2_000  # tiles' laid-out names: a few screens at the smallest zoom
BADGES_KEPT = 500  # rendered badges (an extension, a duration, a score)


@dataclass(frozen=True)
class TileColors:
    selected_fill: QColor
    selected_border: QColor
    hover_fill: QColor
    placeholder: QColor
    text: QColor
    dim_text: QColor
    badge_fill: QColor
    badge_text: QColor
    focus: QColor
    score_fill: QColor

    @classmethod
    def from_palette(cls, palette: QPalette) -> TileColors:
        highlight = palette.color(QPalette.ColorRole.Highlight)
        base = palette.color(QPalette.ColorRole.Base)
        dark = base.lightness() < 128
        fill = QColor(highlight)
        fill.setAlpha(70)
        hover = QColor(255, 255, 255, 18) if dark else QColor(0, 0, 0, 14)
        placeholder = base.lighter(135) if dark else base.darker(108)
        dim = QColor(palette.color(QPalette.ColorRole.Text))
        dim.setAlpha(150)
        return cls(
            selected_fill=fill,
            selected_border=highlight,
            hover_fill=hover,
            placeholder=placeholder,
            text=palette.color(QPalette.ColorRole.Text),
            dim_text=dim,
            badge_fill=QColor(0, 0, 0, 150),
            badge_text=QColor(255, 255, 255),
            focus=highlight.lighter(130),
            score_fill=QColor(highlight.red(), highlight.green(), highlight.blue(), 225),
        )


class TileDelegate:
    def __init__(self, widget: QWidget) -> None:
        self._widget = widget
        self.font = QFont(widget.font())
        self.badge_font = QFont(widget.font())
        self.badge_font.setPointSizeF(max(6.5, self.badge_font.pointSizeF() * 0.75))
        self.badge_font.setBold(True)
        self.metrics = QFontMetrics(self.font)
        self.badge_metrics = QFontMetrics(self.badge_font)
        # Painting runs for every visible tile on every scroll step: elided names and placeholder
        # icons are computed once, not per paint. Names and badges are kept for the last few
        # screens only: a laid-out name is 1 KB of Qt's memory, and 20,000 of them (the old bound)
        # were a steady climb of the window's memory through an hour of grid_bench.py's session.
        self._labels: LruCache[tuple[int, int], QStaticText] = LruCache(LABELS_KEPT)
        self._placeholder_icons: dict[tuple[str, int], QPixmap] = {}
        self._badges: LruCache[str, QPixmap] = LruCache(BADGES_KEPT)  # extensions, durations
        self._scores: LruCache[str, QPixmap] = LruCache(BADGES_KEPT)
        self.colors = TileColors.from_palette(widget.palette())
        # {entity id: "missing" or "changed"} for assets the last check for missing files marked
        # (set by `ui.missing_files`); such tiles are dimmed and carry a mark.
        self.file_problems: dict[int, str] = {}
        self._marks: dict[tuple[str, bool], QPixmap] = {}
        self.backdrop = DEFAULT_BACKDROP  # behind transparent thumbnails (Preferences)
        self.tile_marks = TileMarks(self.badge_font, widget.devicePixelRatioF())  # stars, labels
        self.scrub: HoverScrub | None = None  # a clip's frame under the mouse replaces its thumbnail
        style = widget.style()
        self._icons = {
            "audio": style.standardIcon(QStyle.StandardPixmap.SP_MediaVolume),
            "video": style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay),
            "image": style.standardIcon(QStyle.StandardPixmap.SP_FileIcon),
            "other": style.standardIcon(QStyle.StandardPixmap.SP_FileIcon),
        }
        self._type_icons: TypeIcons | None = None

    @property
    def type_icons(self) -> TypeIcons:
        """A generic asset's tile shows its type's icon: looked up in the desktop's icon theme,
        which is found when the first such tile paints, not on the way to the window's first."""
        if self._type_icons is None:
            from dam_desktop.ui.grid.type_icons import TypeIcons

            self._type_icons = TypeIcons(self._icons["other"])
        return self._type_icons

    def refresh_palette(self) -> None:
        self.colors = TileColors.from_palette(self._widget.palette())
        self._scores.clear()

    @property
    def label_height(self) -> int:
        return self.metrics.height() + LABEL_GAP

    def cell_size(self, tile: int) -> tuple[int, int]:
        return tile + 2 * TILE_PADDING, tile + 2 * TILE_PADDING + self.label_height

    def paint(
        self,
        painter: QPainter,
        cell: QRect,
        tile: int,
        info: TileInfo | None,
        pixmap: QPixmap | None,
        *,
        selected: bool,
        current: bool,
        hovered: bool,
        score: str | None = None,
    ) -> None:
        colors = self.colors
        frame = QRectF(cell).adjusted(2, 2, -2, -2)
        if selected or hovered:
            path = QPainterPath()
            path.addRoundedRect(frame, 8, 8)
            painter.fillPath(path, colors.selected_fill if selected else colors.hover_fill)
            if selected:
                painter.setPen(colors.selected_border)
                painter.drawPath(path)
        square = QRect(cell.left() + TILE_PADDING, cell.top() + TILE_PADDING, tile, tile)
        scrubbed = self.scrub.frame(info.entity_id) if hovered and info and self.scrub else None
        pixmap = scrubbed or pixmap
        problem = self.file_problems.get(info.entity_id) if info is not None and self.file_problems else None
        if problem is not None:
            painter.setOpacity(MISSING_OPACITY)
        if pixmap is not None and not pixmap.isNull():
            self._paint_pixmap(painter, square, pixmap)
        else:
            self._paint_placeholder(painter, square, info)
        if problem is not None:
            painter.setOpacity(1.0)
            self._paint_problem_mark(painter, self._image_rect(square, pixmap), problem)
        if score is not None:
            self._paint_score(painter, self._image_rect(square, pixmap), score)
        if info is not None and self.tile_marks.marks:
            self.tile_marks.paint(painter, self._image_rect(square, pixmap), info.entity_id)
        if info is not None:
            self._paint_badge(painter, square, info)
            if info.duration_seconds is not None or info.animated:
                self._paint_duration(painter, self._image_rect(square, pixmap), info)
            if scrubbed is not None and self.scrub is not None:
                self._paint_scrub_line(painter, self._image_rect(square, pixmap), self.scrub.frame_fraction)
            label = QRect(
                cell.left() + 4, square.bottom() + LABEL_GAP // 2, cell.width() - 8, self.metrics.height()
            )
            painter.setFont(self.font)
            painter.setPen(colors.text if selected else colors.dim_text)
            text = self._elided(info, label.width())
            x = label.left() + (label.width() - int(text.size().width())) // 2
            painter.drawStaticText(QPoint(x, label.top()), text)
        if current and self._widget.hasFocus():
            painter.setPen(colors.focus)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(frame.adjusted(1, 1, -1, -1), 7, 7)

    def _elided(self, info: TileInfo, width: int) -> QStaticText:
        """The name elided to fit, laid out once (QStaticText) and reused on every paint."""
        key = (info.entity_id, width)
        text = self._labels.get(key)
        if text is None:
            elided = self.metrics.elidedText(info.filename, Qt.TextElideMode.ElideMiddle, width)
            text = QStaticText(elided)
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.prepare(font=self.font)
            self._labels.put(key, text)
        return text

    def _paint_pixmap(self, painter: QPainter, square: QRect, pixmap: QPixmap) -> None:
        ratio = pixmap.devicePixelRatio() or 1.0
        width, height = pixmap.width() / ratio, pixmap.height() / ratio
        alpha = shows_through(pixmap)
        if max(width, height) == square.width():
            # Decoded for this tile size: an unscaled blit, the fast path while scrolling.
            x = square.left() + (square.width() - int(width)) // 2
            y = square.top() + (square.height() - int(height)) // 2
            if alpha:
                paint_backdrop(painter, QRect(x, y, int(width), int(height)), self.backdrop)
            painter.drawPixmap(QPoint(x, y), pixmap)
            return
        sharp = max(width, height) < ORIGINAL_BELOW and width < square.width() and height < square.height()
        # A picture smaller than its thumbnail would be is its own size: grow it by whole pixels.
        scale = (
            integer_scale(width, height, square.width(), square.height())
            if sharp
            else min(square.width() / width, square.height() / height)
        )
        draw_w, draw_h = width * scale, height * scale
        target = QRectF(
            square.left() + (square.width() - draw_w) / 2,
            square.top() + (square.height() - draw_h) / 2,
            draw_w,
            draw_h,
        )
        if alpha:
            paint_backdrop(painter, target, self.backdrop)
        if sharp:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawPixmap(target, pixmap, QRectF(pixmap.rect()))
        if sharp:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)

    def _paint_placeholder(self, painter: QPainter, square: QRect, info: TileInfo | None) -> None:
        inset = QRectF(square).adjusted(6, 6, -6, -6)
        path = QPainterPath()
        path.addRoundedRect(inset, 6, 6)
        painter.fillPath(path, self.colors.placeholder)
        kind = info.asset_type if info else "other"
        generic = kind == "other" and info is not None
        edge = max(16, min(96, square.width() // 2)) if generic else max(16, min(48, square.width() // 4))
        key = f"other{self.type_icons.key(info.filename)}" if generic and info is not None else kind
        glyph = self._placeholder_icons.get((key, edge))
        if glyph is None:
            icon: QIcon = (
                self.type_icons.icon(info.filename)
                if generic and info is not None
                else self._icons.get(kind, self._icons["other"])
            )
            glyph = icon.pixmap(edge, edge)
            self._placeholder_icons[(key, edge)] = glyph
        painter.setOpacity(1.0 if generic else 0.45)  # a generic file's icon is its picture
        painter.drawPixmap(
            QRect(square.center().x() - edge // 2, square.center().y() - edge // 2, edge, edge), glyph
        )
        painter.setOpacity(1.0)

    def _paint_badge(self, painter: QPainter, square: QRect, info: TileInfo) -> None:
        if square.width() < 96:
            return
        # The content's format, not the name's: a PNG named .jpg says PNG.
        stem, dot, suffix = info.filename.rpartition(".")
        extension = (info.extension or (suffix if dot and stem else "")).upper()[:5]
        if not extension:
            return
        badge = self._badges.get(extension)
        if badge is None:
            badge = self._badges.put(extension, self._render_badge(extension))
        ratio = badge.devicePixelRatio() or 1.0
        height = int(badge.height() / ratio)
        painter.drawPixmap(QPoint(square.left() + 6, square.bottom() - height - 5), badge)

    def _paint_duration(self, painter: QPainter, image: QRect, info: TileInfo) -> None:
        """A clip's or a sound's length in the thumbnail's bottom-right corner ("▶ 0:12" for clips);
        "▶ ANIM" on an animated picture."""
        if image.width() < 72:
            return
        seconds = info.duration_seconds
        if seconds is None:
            text = ANIMATED_CUE
        else:
            text = format_time(seconds, tenths=seconds < 1.0)
            if info.asset_type == "video":
                text = f"▶ {text}"
        badge = self._badges.get(text)
        if badge is None:
            badge = self._badges.put(text, self._render_badge(text))
        ratio = badge.devicePixelRatio() or 1.0
        width, height = int(badge.width() / ratio), int(badge.height() / ratio)
        painter.drawPixmap(QPoint(image.right() - width - 4, image.bottom() - height - 4), badge)

    def _paint_scrub_line(self, painter: QPainter, image: QRect, fraction: float) -> None:
        """How far into the clip the scrubbed frame is: a line along the picture's bottom."""
        line = QRect(image.left(), image.bottom() - 2, round(image.width() * fraction), 3)
        painter.fillRect(line, self.colors.selected_border)

    def _paint_score(self, painter: QPainter, image: QRect, text: str) -> None:
        """The ranked result's score in the thumbnail's top-left corner (the file mark takes the
        top-right one), drawn once per distinct text and blitted."""
        badge = self._scores.get(text)
        if badge is None:
            width = self.badge_metrics.horizontalAdvance(text) + 12
            height = self.badge_metrics.height() + 4
            badge = self._scores.put(
                text, self._render_label(text, self.colors.score_fill, width, height, radius=height / 2)
            )
        painter.drawPixmap(QPoint(image.left() + 4, image.top() + 4), badge)

    @staticmethod
    def _image_rect(square: QRect, pixmap: QPixmap | None) -> QRect:
        """Where the thumbnail sits in its square (letterboxed), or the placeholder's square."""
        if pixmap is None or pixmap.isNull() or not pixmap.width() or not pixmap.height():
            return square.adjusted(6, 6, -6, -6)
        scale = min(square.width() / pixmap.width(), square.height() / pixmap.height())
        width, height = round(pixmap.width() * scale), round(pixmap.height() * scale)
        left = square.left() + (square.width() - width) // 2
        top = square.top() + (square.height() - height) // 2
        return QRect(left, top, width, height)

    def _paint_problem_mark(self, painter: QPainter, image: QRect, problem: str) -> None:
        """The mark inside the thumbnail's top-right corner, so it reads as part of the picture."""
        full = image.width() >= FULL_MARK_MIN_TILE
        mark = self._marks.get((problem, full))
        if mark is None:
            mark = self._marks[(problem, full)] = self._render_problem_mark(problem, full)
        ratio = mark.devicePixelRatio() or 1.0
        width = int(mark.width() / ratio)
        painter.drawPixmap(QPoint(image.right() - width - 4, image.top() + 4), mark)

    def _render_problem_mark(self, problem: str, full: bool) -> QPixmap:
        """A red "MISSING" (amber "CHANGED") pill, or just a dot with "!" on small tiles."""
        label, colour = FILE_PROBLEM_MARKS.get(problem, FILE_PROBLEM_MARKS["missing"])
        text = f"!  {label}" if full else "!"
        height = self.badge_metrics.height() + 4
        width = self.badge_metrics.horizontalAdvance(text) + 12 if full else height
        return self._render_label(text, colour, width, height, radius=height / 2)

    def _render_badge(self, extension: str) -> QPixmap:
        """The extension badge drawn once per extension; tiles blit it."""
        width = self.badge_metrics.horizontalAdvance(extension) + 10
        height = self.badge_metrics.height() + 2
        return self._render_label(extension, self.colors.badge_fill, width, height, radius=4)

    def _render_label(self, text: str, fill: QColor, width: int, height: int, *, radius: float) -> QPixmap:
        """`text` centred on a rounded rectangle, at the screen's pixel ratio, to blit on tiles."""
        ratio = self._widget.devicePixelRatioF()
        pixmap = QPixmap(int(width * ratio), int(height * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, width, height), radius, radius)
        painter.fillPath(path, fill)
        painter.setFont(self.badge_font)
        painter.setPen(self.colors.badge_text)
        painter.drawText(QRectF(0, 0, width, height), int(Qt.AlignmentFlag.AlignCenter), text)
        painter.end()
        return pixmap
