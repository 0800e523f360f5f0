"""The thumbnail grid: a custom painted item view whose layout is arithmetic.

Row r sits at column r % columns of line r // columns; nothing is laid out per item, so a resize
or a zoom over a million rows costs the same as over ten. Painting walks only the rows that
intersect the exposed rectangle. Selection (click, Shift, Ctrl, rubber band, keyboard) is
QAbstractItemView's; this class only answers its geometry questions.
"""

from __future__ import annotations

import math

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QRegion,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractItemView, QFrame, QWidget

from dam_desktop.ui.grid.empty_state import DROP_HERE, EmptyState, paint_empty_state
from dam_desktop.ui.grid.grid_delegate import TileDelegate
from dam_desktop.ui.grid.grid_drag import drag_selection_out
from dam_desktop.ui.grid.grid_model import AssetGridModel
from dam_desktop.ui.grid.grid_settings import DEFAULT_TILE, MAX_TILE, MIN_TILE
from dam_desktop.ui.grid.thumbnail_cache import ThumbnailCache
from dam_desktop.ui.grid.thumbnail_loader import ThumbnailLoader
from dam_desktop.ui.grid.tile_thumbnails import TileThumbnails

LOADING_HINT = "Opening the library…"
LOADING_HINT_DELAY_MS = 400
MARGIN = 10
ZOOM_STEP = 1.15

_ModelIndex = QModelIndex | QPersistentModelIndex


class AssetGridView(QAbstractItemView):
    zoom_changed = Signal(int)
    first_painted = Signal()

    def __init__(
        self,
        model: AssetGridModel,
        loader: ThumbnailLoader,
        cache: ThumbnailCache,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.grid_model = model
        self.loader = loader
        self.cache = cache
        self.delegate = TileDelegate(self)
        self.empty_state = DROP_HERE
        self._tile = DEFAULT_TILE
        self._columns = 1
        self._cell_w = 1
        self._cell_h = 1
        self._stride_x = 1.0
        self._rubber: QRect | None = None
        self._hover_row = -1
        self.painted_once = False

        self.setModel(model)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setMouseTracking(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setObjectName("assetGrid")
        # The background comes from the palette, not the style sheet: a style-sheet background
        # is repainted through QStyleSheetStyle on every scroll step and costs more than the tiles.
        self.setFrameShape(QFrame.Shape.NoFrame)
        palette = self.viewport().palette()
        palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.Base))
        self.viewport().setPalette(palette)
        self.viewport().setAutoFillBackground(True)

        self.thumbnails = TileThumbnails(self, loader, cache)
        # "Opening the library…" only if the first result takes long enough to be noticed (a new
        # library's schema being created or upgraded): the usual start fills the grid sooner, and a
        # hint flashing for a few frames would look like a glitch.
        self.loading_hint_shown = False
        self._loading_timer = QTimer(self)
        self._loading_timer.setSingleShot(True)
        self._loading_timer.setInterval(LOADING_HINT_DELAY_MS)
        self._loading_timer.timeout.connect(self._show_loading_hint)
        self._loading_timer.start()

        model.modelReset.connect(self._on_layout_changed)
        model.rowsInserted.connect(self._on_layout_changed)
        model.rowsRemoved.connect(self._on_layout_changed)
        model.infos_arrived.connect(self._on_infos_arrived)
        self.verticalScrollBar().valueChanged.connect(self._schedule_requests)
        self._relayout()

    # layout -------------------------------------------------------------------------------------
    @property
    def tile_size(self) -> int:
        return self._tile

    @property
    def columns(self) -> int:
        return self._columns

    def set_tile_size(self, size: int) -> None:
        size = max(MIN_TILE, min(MAX_TILE, int(size)))
        if size == self._tile:
            return
        anchor = self._anchor_row()
        self._tile = size
        self._relayout()
        if anchor >= 0:
            self.scrollTo(self.model().index(anchor, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
        self.viewport().update()
        self._schedule_requests()
        self.zoom_changed.emit(size)

    def _anchor_row(self) -> int:
        current = self.currentIndex()
        visible = self.visible_rows()
        if current.isValid() and current.row() in visible:
            return current.row()
        return visible.start + (len(visible) // 2) if len(visible) else -1

    def _relayout(self) -> None:
        self._cell_w, self._cell_h = self.delegate.cell_size(self._tile)
        usable = max(1, self.viewport().width() - 2 * MARGIN)
        self._columns = max(1, usable // self._cell_w)
        self._stride_x = (
            max(float(self._cell_w), usable / self._columns) if self._columns > 1 else self._cell_w
        )
        self.updateGeometries()

    def content_height(self) -> int:
        lines = math.ceil(self.model().rowCount() / self._columns) if self.model() else 0
        return 2 * MARGIN + lines * self._cell_h

    def updateGeometries(self) -> None:
        bar = self.verticalScrollBar()
        page = self.viewport().height()
        bar.setRange(0, max(0, self.content_height() - page))
        bar.setPageStep(page)
        bar.setSingleStep(max(8, self._cell_h // 3))
        super().updateGeometries()

    def cell_rect(self, row: int) -> QRect:
        """The row's cell in viewport coordinates."""
        line, column = divmod(row, self._columns)
        extra = (self._stride_x - self._cell_w) / 2
        x = MARGIN + int(column * self._stride_x + extra)
        y = MARGIN + line * self._cell_h - self.verticalScrollBar().value()
        return QRect(x, y, self._cell_w, self._cell_h)

    def row_at(self, point: QPoint) -> int:
        y = point.y() + self.verticalScrollBar().value() - MARGIN
        if y < 0 or point.x() < MARGIN:
            return -1
        line = y // self._cell_h
        column = int((point.x() - MARGIN) // self._stride_x)
        if column >= self._columns:
            return -1
        row = line * self._columns + column
        if row >= self.model().rowCount() or not self.cell_rect(row).contains(point):
            return -1
        return int(row)

    def rows_in(self, rect: QRect) -> range:
        """Rows whose lines intersect `rect` (viewport coordinates), clamped to the model."""
        top = rect.top() + self.verticalScrollBar().value() - MARGIN
        bottom = rect.bottom() + self.verticalScrollBar().value() - MARGIN
        first_line = max(0, top // self._cell_h)
        last_line = max(-1, bottom // self._cell_h)
        count = self.model().rowCount()
        return range(min(count, first_line * self._columns), min(count, (last_line + 1) * self._columns))

    def visible_rows(self) -> range:
        return self.rows_in(self.viewport().rect())

    # QAbstractItemView geometry API ---------------------------------------------------------------
    def visualRect(self, index: _ModelIndex) -> QRect:
        if not index.isValid():
            return QRect()
        return self.cell_rect(index.row())

    def indexAt(self, point: QPoint) -> QModelIndex:
        row = self.row_at(point)
        return self.model().index(row, 0) if row >= 0 else QModelIndex()

    def scrollTo(
        self,
        index: _ModelIndex,
        hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
    ) -> None:
        if not index.isValid():
            return
        bar = self.verticalScrollBar()
        line_top = MARGIN + (index.row() // self._columns) * self._cell_h
        page = self.viewport().height()
        if hint == QAbstractItemView.ScrollHint.PositionAtCenter:
            bar.setValue(line_top - (page - self._cell_h) // 2)
        elif hint == QAbstractItemView.ScrollHint.PositionAtTop:
            bar.setValue(line_top - MARGIN)
        elif hint == QAbstractItemView.ScrollHint.PositionAtBottom:
            bar.setValue(line_top + self._cell_h - page + MARGIN)
        elif line_top < bar.value():
            bar.setValue(line_top - MARGIN)
        elif line_top + self._cell_h > bar.value() + page:
            bar.setValue(line_top + self._cell_h - page + MARGIN)

    def moveCursor(
        self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        from dam_desktop.ui.grid.cursor_moves import cursor_target  # on the first key, not at start

        count = self.model().rowCount()
        if count == 0:
            return QModelIndex()
        current = self.currentIndex()
        row = current.row() if current.isValid() else -1
        per_page = max(1, self.viewport().height() // self._cell_h) * self._columns
        return self.model().index(cursor_target(action, row, count, self._columns, per_page), 0)

    def horizontalOffset(self) -> int:
        return 0

    def verticalOffset(self) -> int:
        return int(self.verticalScrollBar().value())

    def isIndexHidden(self, index: _ModelIndex) -> bool:
        return False

    def setSelection(self, rect: QRect, command: QItemSelectionModel.SelectionFlag) -> None:
        """Select the cells a rectangle (viewport coordinates) touches: one range per line."""
        rect = rect.normalized()
        model = self.model()
        selection = QItemSelection()
        scroll = self.verticalScrollBar().value()
        first_line = max(0, (rect.top() + scroll - MARGIN) // self._cell_h)
        last_line = (rect.bottom() + scroll - MARGIN) // self._cell_h
        first_col = max(0, int((rect.left() - MARGIN) // self._stride_x))
        last_col = min(self._columns - 1, int((rect.right() - MARGIN) // self._stride_x))
        count = model.rowCount()
        if last_col >= first_col:
            for line in range(first_line, last_line + 1):
                start = line * self._columns + first_col
                end = min(count - 1, line * self._columns + last_col)
                if start >= count:
                    break
                if end >= start:
                    selection.select(model.index(start, 0), model.index(end, 0))
        self.selectionModel().select(selection, command)
        if self.state() == QAbstractItemView.State.DragSelectingState:
            self._rubber = rect
        self.viewport().update()

    def visualRegionForSelection(self, selection: QItemSelection) -> QRegion:
        return QRegion(self.viewport().rect())

    # events -------------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout()
        self._schedule_requests()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.set_tile_size(round(self._tile * ZOOM_STEP**steps))
            event.accept()
            return
        super().wheelEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        row = self.row_at(event.position().toPoint())
        if row != self._hover_row:
            previous, self._hover_row = self._hover_row, row
            for changed in (previous, row):
                if changed >= 0:
                    self.viewport().update(self.cell_rect(changed))
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if self._rubber is not None:
            self._rubber = None
            self.viewport().update()

    def leaveEvent(self, event: object) -> None:
        if self._hover_row >= 0:
            self.viewport().update(self.cell_rect(self._hover_row))
            self._hover_row = -1

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        drag_selection_out(self)

    # painting -----------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        count = self.model().rowCount()
        if count == 0:
            if self.grid_model.loaded_once:
                paint_empty_state(self, painter)
            elif self.loading_hint_shown:
                painter.setPen(self.delegate.colors.dim_text)
                painter.drawText(self.viewport().rect(), int(Qt.AlignmentFlag.AlignCenter), LOADING_HINT)
        else:
            self._paint_tiles(painter, event.rect())
        if self._rubber is not None:
            fill = QColor(self.delegate.colors.selected_border)
            fill.setAlpha(40)
            painter.setPen(self.delegate.colors.selected_border)
            painter.setBrush(fill)
            painter.drawRect(self._rubber)
        painter.end()
        if not self.painted_once and self.grid_model.loaded_once:
            self.painted_once = True
            self.first_painted.emit()

    def _paint_tiles(self, painter: QPainter, exposed: QRect) -> None:
        model = self.grid_model
        selection = self.selectionModel()
        current = self.currentIndex().row() if self.currentIndex().isValid() else -1
        for row in self.rows_in(exposed):
            cell = self.cell_rect(row)
            if not cell.intersects(exposed):
                continue
            entity_id = model.entity_id(row)
            entry = self.cache.peek(entity_id)
            self.delegate.paint(
                painter,
                cell,
                self._tile,
                model.info(entity_id),
                entry.pixmap if entry is not None else None,
                selected=selection.isSelected(model.index(row, 0)),
                current=row == current,
                hovered=row == self._hover_row,
                score=model.score_text(entity_id),
            )

    def set_empty_state(self, state: EmptyState) -> None:
        """What the grid says when the result is empty (no matches, a search error, ...)."""
        if state != self.empty_state:
            self.empty_state = state
            if self.model().rowCount() == 0:
                self.viewport().update()

    def _show_loading_hint(self) -> None:
        if not self.grid_model.loaded_once:
            self.loading_hint_shown = True
            self.viewport().update()

    # thumbnails ---------------------------------------------------------------------------------
    def _schedule_requests(self) -> None:
        self.thumbnails.schedule()

    def retry_thumbnails(self, entity_ids: list[int]) -> None:
        """Thumbnails for these may exist now (an import or the thumbnail stage just made them)."""
        self.thumbnails.retry(entity_ids)

    def thumbnail_shown(self, entity_id: int) -> bool:
        return self.thumbnails.shown(entity_id)

    def _on_layout_changed(self, *args: object) -> None:
        self._relayout()
        self.viewport().update()
        self._schedule_requests()

    def _on_infos_arrived(self, entity_ids: list[int]) -> None:
        self.viewport().update()
        self._schedule_requests()

    def update_entity(self, entity_id: int) -> None:
        visible = self.visible_rows()
        ids = self.grid_model.ids_in(visible.start, visible.stop)
        if entity_id in ids:
            self.viewport().update(self.cell_rect(visible.start + ids.index(entity_id)))
