"""Where the keyboard moves the grid's current tile: arrows by one tile or one line, Page Up/Down by
a screenful, Home/End to the ends. A table of moves, clamped to the result by the caller."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QAbstractItemView

Action = QAbstractItemView.CursorAction

# (row, row count, columns, rows per page) -> the row to move to
CURSOR_MOVES: dict[Action, Callable[[int, int, int, int], int]] = {
    Action.MoveLeft: lambda row, _count, _columns, _page: row - 1,
    Action.MovePrevious: lambda row, _count, _columns, _page: row - 1,
    Action.MoveRight: lambda row, _count, _columns, _page: row + 1,
    Action.MoveNext: lambda row, _count, _columns, _page: row + 1,
    Action.MoveUp: lambda row, _count, columns, _page: row - columns if row >= columns else row,
    Action.MoveDown: lambda row, count, columns, _page: row + columns if row + columns < count else row,
    Action.MovePageUp: lambda row, _count, _columns, page: row - page,
    Action.MovePageDown: lambda row, _count, _columns, page: row + page,
    Action.MoveHome: lambda _row, _count, _columns, _page: 0,
    Action.MoveEnd: lambda _row, count, _columns, _page: count - 1,
}


def cursor_target(action: Action, row: int, count: int, columns: int, per_page: int) -> int:
    """The row the move lands on, within 0 .. count - 1; the first tile when none is current."""
    if row < 0:
        return 0
    move = CURSOR_MOVES.get(action)
    target = move(row, count, columns, per_page) if move is not None else row
    return max(0, min(count - 1, target))
