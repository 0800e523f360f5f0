"""What the grid shows: the query for the current view (the library listing, a tag search or the
trash), a ranked result narrowed by a tag query, and keeping the selection across a reload.

The use cases are imported inside the queries, which run on the world thread: they load
SQLAlchemy, which the window's first paint does not wait for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QItemSelectionRange, QModelIndex

from dam_desktop.services.browse.browse_sql import IdArray
from dam_desktop.services.search.paging import StreamedResult
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.ui.grid.grid_model import AssetGridModel, ResultQuery
from dam_desktop.ui.grid.grid_view import AssetGridView

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.use_cases.result_scope import ResultScope


@dataclass(frozen=True)
class RankedResult:
    """A ranked result the grid shows instead of the view ("Similar to x.png", a sentence's
    matches), narrowed by the tag query `narrowing` (shown as a chip the user can remove)."""

    title: str
    query_for: Callable[[str], ResultQuery]  # the narrowing tag query -> the grid's query
    narrowing: str = ""
    sentence: str = ""  # the ≈ sentence it answers, which the search box shows ("" for "similar")

    def query(self) -> ResultQuery:
        return self.query_for(self.narrowing)


def view_query(
    sort: SortKey, descending: bool, *, trashed: bool, text: str, first: int | None = None
) -> ResultQuery:
    """A tag search over the library (the whole library for no text), streamed: the first screen
    (at least `first` rows) shows before the rest is read; or the listing of the trash, by name."""
    if not trashed:

        async def searched(world: World) -> StreamedResult:
            from dam_desktop.use_cases.result_pages import FIRST_SCREEN, open_search

            rows = max(first or 0, FIRST_SCREEN)
            return await open_search(world, text, sort=sort, descending=descending, first=rows)

        return searched

    async def listed(world: World) -> IdArray:
        from dam_desktop.use_cases.library import asset_ids

        return await asset_ids(
            world, sort, descending=descending, trashed=trashed, name_contains=text or None
        )

    return listed


# A reload reads at least this many rows first, wherever the view or the selection is.
MAX_KEPT_ROWS = 200_000


def rows_to_keep(grid: AssetGridView) -> int:
    """How many rows a reload's first page must hold so the scroll position and the selection come
    back at once (a streamed result starts with the first screen only)."""
    last_selected = max((r.bottom() for r in selection_ranges(grid)), default=-1)
    last_shown = max(grid.visible_rows(), default=-1)
    return min(MAX_KEPT_ROWS, max(last_selected, last_shown) + 1)


def select_arrivals_of_a_whole_selection(grid: AssetGridView, model: AssetGridModel) -> None:
    """Rows streaming into a result whose every row is selected are selected as they come: Select
    All means the whole result, not the part of it that had arrived when it was pressed."""

    def arrived(_parent: QModelIndex, first: int, last: int) -> None:
        if first > 0 and selected_count(grid) == first:
            added = QItemSelection(model.index(first, 0), model.index(last, 0))
            grid.selectionModel().select(added, QItemSelectionModel.SelectionFlag.Select)

    model.rowsInserted.connect(arrived)


def selection_ranges(grid: AssetGridView) -> list[QItemSelectionRange]:
    selection = grid.selectionModel().selection()
    return [selection.at(n) for n in range(selection.size())]


def selected_count(grid: AssetGridView) -> int:
    return sum(r.bottom() - r.top() + 1 for r in selection_ranges(grid))


def selected_ids(grid: AssetGridView, model: AssetGridModel, limit: int | None = None) -> list[int]:
    found: list[int] = []
    for selected_range in selection_ranges(grid):
        found.extend(model.ids_in(selected_range.top(), selected_range.bottom() + 1))
        if limit is not None and len(found) >= limit:
            return found[:limit]
    return found


@dataclass(frozen=True)
class GridPlace:
    """Where the user is in the grid: the selected assets, the current one and the scroll."""

    selected: list[int]
    current_id: int | None
    scroll: int


def place_of(grid: AssetGridView, model: AssetGridModel, limit: int) -> GridPlace:
    """The grid's place now (at most `limit` selected ids). A reload takes it when its result
    replaces the rows, not when it starts: a Select All while the query runs stays selected."""
    current = grid.currentIndex()
    current_id = model.entity_id(current.row()) if current.isValid() else None
    return GridPlace(selected_ids(grid, model, limit), current_id, grid.verticalScrollBar().value())


def restore_place(grid: AssetGridView, model: AssetGridModel, place: GridPlace) -> None:
    """Scroll back to `place` and select again its assets, where the new result has them."""
    grid.verticalScrollBar().setValue(place.scroll)
    if not place.selected:
        return
    import numpy as np

    rows = np.flatnonzero(np.isin(model.ids, np.asarray(place.selected, dtype=np.int64)))
    selection = QItemSelection()
    for row in rows.tolist():
        index = model.index(row, 0)
        selection.select(index, index)
    grid.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    if place.current_id is not None and (row := model.row_of(place.current_id)) >= 0:
        current = model.index(row, 0)
        grid.selectionModel().setCurrentIndex(current, QItemSelectionModel.SelectionFlag.NoUpdate)


# A whole result less at most this many unselected assets is still edited as the query.
MAX_EXCLUDED = 10_000


def whole_result_scope(
    grid: AssetGridView, model: AssetGridModel, query: str | None, limit: int, *, trash: bool = False
) -> ResultScope | None:
    """The selection as its search's query when it holds more than `limit` assets and is the whole
    result less a few (`query`: the tag search the grid shows; None for a view no query gives, a
    ranked result or the trash): the tag editor then edits the query, not the first `limit` ids.
    While a result streams in, Select All keeps taking in its arrivals, so the query is the truth."""
    from dam_desktop.use_cases.result_scope import ResultScope

    count = selected_count(grid)
    rows = model.rowCount()
    if query is None or count <= limit or rows - count > MAX_EXCLUDED:
        return None
    excluded: list[int] = []
    start = 0
    for selected in sorted(selection_ranges(grid), key=lambda r: r.top()):
        excluded.extend(model.ids_in(start, selected.top()))
        start = selected.bottom() + 1
    excluded.extend(model.ids_in(start, rows))
    return ResultScope(query, tuple(excluded), count, trash=trash)


def selection_scope(window: MainWindow, limit: int, *, trash: bool = False) -> ResultScope | None:
    """`whole_result_scope` for the window's grid: its query when it shows a plain tag search (or
    the whole library), None for a ranked result or a custom query; with `trash` (the trash's own
    actions), the trash's listing too."""
    from dam_desktop.ui.window.context_menu import LIBRARY_VIEW, TRASH_VIEW

    plain = window.ranked is None and window.custom_query is None
    view = window.view_key
    query = window.search_text if plain and (view == LIBRARY_VIEW or (trash and view == TRASH_VIEW)) else None
    return whole_result_scope(window.grid, window.model, query, limit, trash=view == TRASH_VIEW)
