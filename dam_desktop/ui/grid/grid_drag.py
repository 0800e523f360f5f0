"""Dragging tiles out of the grid: the selected assets' files as URLs, for other apps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QDrag

from dam_desktop.ui.grid.grid_model import MAX_DRAG_ITEMS

if TYPE_CHECKING:
    from dam_desktop.ui.grid.grid_view import AssetGridView


def drag_selection_out(view: AssetGridView) -> None:
    """Start a copy drag of the selection (at most MAX_DRAG_ITEMS), showing the first thumbnail."""
    rows: list[int] = []
    selection = view.selectionModel().selection()
    for selected_range in (selection.at(n) for n in range(selection.size())):
        rows.extend(range(selected_range.top(), selected_range.bottom() + 1))
        if len(rows) >= MAX_DRAG_ITEMS:
            break
    indexes = [view.model().index(row, 0) for row in rows[:MAX_DRAG_ITEMS]]
    mime = view.grid_model.mimeData(indexes)
    if not mime.urls():
        return
    drag = QDrag(view)
    drag.setMimeData(mime)
    entry = view.cache.peek(view.grid_model.entity_id(rows[0])) if rows else None
    if entry is not None:
        drag.setPixmap(entry.pixmap.scaled(96, 96, Qt.AspectRatioMode.KeepAspectRatio))
    drag.exec(Qt.DropAction.CopyAction)
