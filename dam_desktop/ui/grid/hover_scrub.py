"""Hover-scrub on clip tiles: while the mouse crosses a clip's tile, the tile shows the frame for
that position (left edge: the start, right edge: the end).

The frames come from the clip's scrub strip, made at import by the scrub strip stage; hovering
only reads that small WebP, decoded in a worker thread, and keeps the last few clips' frames.
Nothing is decoded from the video itself while the mouse moves.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QRect
from PySide6.QtGui import QImage, QMouseEvent, QPixmap

from dam_desktop.core.library import SCRUB_STRIP_FRAMES
from dam_desktop.ui.image_decode import decode_scaled

if TYPE_CHECKING:
    from dam_desktop.ui.grid.grid_view import AssetGridView

KEPT_STRIPS = 32  # clips whose frames stay in memory (a strip is about 0.5 MB as pixmaps)
STRIP_DECODE_EDGE = 1 << 14  # never scaled: the strip is decoded as made


def split_frames(strip: QImage, frames: int = SCRUB_STRIP_FRAMES) -> list[QImage]:
    width = strip.width() // frames
    return [strip.copy(QRect(index * width, 0, width, strip.height())) for index in range(frames)]


def decode_strip(path: Path) -> list[QImage]:
    """Runs in a worker thread: the strip's frames, or [] when it is not there (yet)."""
    strip = decode_scaled(path, STRIP_DECODE_EDGE) if path.is_file() else QImage()
    return [] if strip.isNull() else split_frames(strip)


class HoverScrub(QObject):
    """Follows the mouse over the grid's viewport; the delegate asks it for the frame to show."""

    def __init__(self, view: AssetGridView) -> None:
        super().__init__(view)
        self.view = view
        self.entity_id: int | None = None  # the clip under the mouse
        self.frame_index = 0
        self._row = -1
        self._path: Path | None = None  # the hovered clip's strip
        self._strips: OrderedDict[int, list[QPixmap]] = OrderedDict()
        self._absent: set[int] = set()
        self._loading: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()  # held: the loop keeps only weak references
        view.viewport().installEventFilter(self)

    def frame(self, entity_id: int) -> QPixmap | None:
        """The frame to paint on this tile instead of its thumbnail, while it is scrubbed."""
        if entity_id != self.entity_id:
            return None
        frames = self._strips.get(entity_id)
        return frames[self.frame_index] if frames else None

    @property
    def frame_fraction(self) -> float:
        """How far through the clip the shown frame is (0..1], for the tile's progress line."""
        return (self.frame_index + 1) / SCRUB_STRIP_FRAMES

    def forget(self, entity_ids: Iterable[int]) -> None:
        """These clips' strips may be new (the scrub strip stage just made them)."""
        for entity_id in entity_ids:
            self._strips.pop(entity_id, None)
            self._absent.discard(entity_id)
            if entity_id == self.entity_id and self._path is not None:
                self._want(entity_id, self._path)  # the mouse is still on it

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseMove and isinstance(event, QMouseEvent):
            self._moved(event.position().toPoint())
        elif event.type() == QEvent.Type.Leave:
            self._stop()
        return False

    def _moved(self, point: QPoint) -> None:
        view = self.view
        row = view.row_at(point)
        model = view.grid_model
        info = model.info(model.entity_id(row)) if row >= 0 else None
        if info is None or info.scrub_strip_path is None:
            self._stop()
            return
        cell = view.cell_rect(row)
        fraction = min(max((point.x() - cell.left()) / max(cell.width(), 1), 0.0), 0.999)
        index = int(fraction * SCRUB_STRIP_FRAMES)
        if info.entity_id != self.entity_id or row != self._row:
            self._stop()
            self.entity_id, self._row, self._path = info.entity_id, row, info.scrub_strip_path
            self._want(info.entity_id, info.scrub_strip_path)
        if index != self.frame_index:
            self.frame_index = index
            view.viewport().update(cell)

    def _stop(self) -> None:
        if self.entity_id is not None and self._row >= 0:
            self.view.viewport().update(self.view.cell_rect(self._row))
        self.entity_id, self._row, self._path, self.frame_index = None, -1, None, 0

    def _want(self, entity_id: int, path: Path) -> None:
        if entity_id in self._strips:
            self._strips.move_to_end(entity_id)
            return
        if entity_id in self._absent or entity_id in self._loading:
            return
        self._loading.add(entity_id)
        task = asyncio.get_running_loop().create_task(self._load(entity_id, path))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _load(self, entity_id: int, path: Path) -> None:
        try:
            frames = await asyncio.get_running_loop().run_in_executor(None, decode_strip, path)
        finally:
            self._loading.discard(entity_id)
        if not frames:
            self._absent.add(entity_id)
            return
        self._strips[entity_id] = [QPixmap.fromImage(frame) for frame in frames]
        while len(self._strips) > KEPT_STRIPS:
            self._strips.popitem(last=False)
        if entity_id == self.entity_id and self._row >= 0:
            self.view.viewport().update(self.view.cell_rect(self._row))
