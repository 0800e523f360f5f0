"""The inspector's image preview: decoded off the GUI thread, EXIF-rotated, fit or zoomed; an
animated GIF, WebP or PNG plays.

Scroll with Ctrl (or the buttons) to zoom around the cursor, drag to pan, double-click to switch
between fitting the panel and actual pixels.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QHideEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from dam_desktop.ui.backdrop import DEFAULT_BACKDROP, integer_scale, paint_backdrop
from dam_desktop.ui.image_decode import decode_error, decode_scaled
from dam_desktop.ui.inspector.frame_clock import AnimatedPicture, FrameClock, decode_animation

# Larger pictures are decoded at this size on their long side: the panel never needs more, and a
# 100 MP scan would otherwise cost hundreds of MB.
MAX_PREVIEW_EDGE = 4096
MIN_ZOOM = 0.02
SMALL_IMAGE = 256  # below this on its long side, a picture fits by whole-number scales
MAX_ZOOM = 16.0


def decode_preview(path: Path, max_edge: int = MAX_PREVIEW_EDGE, name: str = "") -> QImage:
    """Runs in a worker thread. Qt decodes what it can (scaling JPEGs as it reads); PSD, HEIC, RAW,
    SVG, PDF and the rest come from the media service through a use case. `name` is the name the
    file was imported under (stored copies are named by their hash)."""
    from dam_desktop.use_cases.previews import MediaError, preview_pixels

    try:
        pixels = preview_pixels(path, name, max_edge)
    except MediaError as exc:
        raise ValueError(str(exc)) from exc
    if pixels is not None:
        data, width, height = pixels
        return QImage(data, width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()
    image = decode_scaled(path, max_edge)
    if image.isNull():
        raise ValueError(decode_error(path))
    return image


def decode_picture(path: Path, max_edge: int, name: str) -> QImage | AnimatedPicture:
    """Runs in a worker thread: an animated picture's frames, or any other file's picture."""
    return decode_animation(path, name) or decode_preview(path, max_edge, name)


class ImagePreview(QWidget):
    zoom_changed = Signal(float)  # the zoom factor; 0.0 while fitting
    loaded = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(200)
        self.setObjectName("imagePreview")
        self._pixmap: QPixmap | None = None
        self._image_size = QSize()
        self._zoom: float | None = None  # None: fit to the panel
        self._centre = QPointF(0.5, 0.5)  # the image point at the panel's centre, as fractions
        self._drag_from: QPointF | None = None
        self._generation = 0
        self.message = ""
        self.source: Path | None = None
        self.backdrop = DEFAULT_BACKDROP  # behind transparent pictures (Preferences)
        self._animation: AnimatedPicture | None = None
        self._clock = FrameClock(self)
        self._clock.frame_changed.connect(self._show_frame)

    @property
    def image_size(self) -> QSize:
        return self._image_size

    @property
    def fitting(self) -> bool:
        return self._zoom is None

    @property
    def animation(self) -> AnimatedPicture | None:
        """The frames of the animated picture shown, if it is one."""
        return self._animation

    @property
    def frame_index(self) -> int:
        return self._clock.index

    @property
    def animating(self) -> bool:
        return self._clock.running

    def _stop_animation(self) -> None:
        self._clock.stop()
        self._animation = None

    def _show_frame(self, index: int) -> None:
        if self._animation is not None:
            self._pixmap = QPixmap.fromImage(self._animation.frames[index])
            self.update()

    def clear(self, message: str = "") -> None:
        self._generation += 1
        self._stop_animation()
        self._pixmap = None
        self._image_size = QSize()
        self.message = message
        self.source = None
        self.update()

    async def load(self, path: Path, name: str = "") -> bool:
        """Decode `path` in a worker thread and show it; False if a newer load replaced it.
        `name`: the name it was imported under, for formats known by their name."""
        self._generation += 1
        generation = self._generation
        self.source = path
        self.message = "Loading…"
        self._stop_animation()
        self._pixmap = None
        self.update()
        try:
            picture = await asyncio.get_running_loop().run_in_executor(
                None, decode_picture, path, MAX_PREVIEW_EDGE, name
            )
        except (OSError, ValueError) as exc:
            if generation == self._generation:
                self.message = f"Cannot show this image: {exc}"
                self.update()
            return False
        if generation != self._generation:
            return False
        image = picture if isinstance(picture, QImage) else picture.frames[0]
        self._pixmap = QPixmap.fromImage(image)
        self._image_size = image.size()
        self._zoom = None
        self._centre = QPointF(0.5, 0.5)
        self.message = ""
        if isinstance(picture, AnimatedPicture):
            self._animation = picture
            self._clock.start(picture.durations_ms)
            if not self.isVisible():
                self._clock.pause()
        self.update()
        self.loaded.emit()
        return True

    # zoom ---------------------------------------------------------------------------------------
    def fit_scale(self) -> float:
        if self._image_size.isEmpty():
            return 1.0
        width, height = self._image_size.width(), self._image_size.height()
        fitting = min(1.0, (self.width() - 16) / width, (self.height() - 16) / height)
        if fitting == 1.0 and max(width, height) < SMALL_IMAGE:
            # Icons and pixel art grow by whole pixels, up to SMALL_IMAGE on their long side.
            room = min(self.width() - 16, SMALL_IMAGE * 2), min(self.height() - 16, SMALL_IMAGE * 2)
            return float(integer_scale(width, height, *room))
        return fitting

    def scale(self) -> float:
        return self.fit_scale() if self._zoom is None else self._zoom

    def fit(self) -> None:
        self._zoom = None
        self._centre = QPointF(0.5, 0.5)
        self.update()
        self.zoom_changed.emit(0.0)

    def set_zoom(self, factor: float) -> None:
        self._zoom = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        self.update()
        self.zoom_changed.emit(self._zoom)

    def zoom_by(self, steps: float) -> None:
        self.set_zoom(self.scale() * (1.25**steps))

    # events -------------------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        if self._animation is not None:
            self._clock.resume()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._clock.pause()  # a hidden animation costs nothing
        super().hideEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self._pixmap is None:
            return
        self.zoom_by(event.angleDelta().y() / 120)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._zoom is None:
            self.set_zoom(1.0)
        else:
            self.fit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._zoom is not None:
            self._drag_from = event.position()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is None or self._image_size.isEmpty():
            return
        delta = event.position() - self._drag_from
        self._drag_from = event.position()
        scale = self.scale()
        self._centre = QPointF(
            self._centre.x() - delta.x() / (self._image_size.width() * scale),
            self._centre.y() - delta.y() / (self._image_size.height() * scale),
        )
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drag_from = None
        self.unsetCursor()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if self._pixmap is None:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(
                self.rect().adjusted(12, 12, -12, -12),
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                self.message,
            )
            return
        scale = self.scale()
        width = self._image_size.width() * scale
        height = self._image_size.height() * scale
        if self._zoom is None:
            x, y = (self.width() - width) / 2, (self.height() - height) / 2
        else:
            x = self.width() / 2 - self._centre.x() * width
            y = self.height() / 2 - self._centre.y() * height
            if width <= self.width():
                x = (self.width() - width) / 2
            if height <= self.height():
                y = (self.height() - height) / 2
        target = QRectF(x, y, width, height)
        if self._pixmap.hasAlphaChannel():
            paint_backdrop(painter, target.intersected(QRectF(self.rect())), self.backdrop)
        if scale >= 2 and float(scale).is_integer():
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawPixmap(target, self._pixmap, QRectF(self._pixmap.rect()))
