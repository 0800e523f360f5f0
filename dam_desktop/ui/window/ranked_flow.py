"""A ranked result in the window's grid ("Find similar", a ≈ sentence's matches): showing it,
narrowing it by a tag query (the header's chip, or a tag clicked in the sidebar), leaving it; and
for every result, what the header says and what an empty grid says (an error, no matches).

The state lives on the window (`window.ranked`, which `current_query` reads); this class holds
the verbs, so the window only composes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from dam_desktop.core.errors import DamError, QueryError
from dam_desktop.ui.grid.empty_state import DROP_HERE, EMPTY_TRASH, EmptyState, no_matches, search_error
from dam_desktop.ui.window.context_menu import TRASH_VIEW
from dam_desktop.ui.window.read_failure import read_error

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.window.results import RankedResult


class RankedFlow:
    def __init__(self, window: MainWindow) -> None:
        self.window = window

    async def show(self, result: RankedResult) -> None:
        """Show a ranked result in the grid (best first, with scores) until the user goes back;
        the search box shows its sentence, or nothing for "Find similar"."""
        window = self.window
        window.ranked = result
        window.custom_query = None
        window.search_text = ""
        window.controls.show_text(result.sentence)
        await window.show_grid_page()

    async def narrow(self, query: str) -> None:
        """Narrow the ranked result shown by a tag query ("" to stop narrowing)."""
        window = self.window
        if window.ranked is None or window.ranked.narrowing == query.strip():
            return
        window.ranked = replace(window.ranked, narrowing=query.strip())
        await window.reload_from_top()

    def sidebar_query(self) -> str:
        """The tag query the tag sidebar counts and narrows: the search, or a ranked result's narrowing."""
        ranked = self.window.ranked
        return ranked.narrowing if ranked is not None else self.window.search_text

    async def apply_sidebar_query(self, query: str) -> None:
        """A tag (or saved search) clicked in the sidebar: it narrows a ranked result, else it is
        the search (and the box shows it)."""
        window = self.window
        if window.ranked is not None:
            await self.narrow(query)
            return
        controls = window.controls
        if controls.sentence_mode and controls.switch_sentence_mode is not None:
            controls.switch_sentence_mode(False)  # a tag is a tag query, not a sentence
        controls.show_text(query, remember=True)
        await window.apply_search(query)

    async def leave(self) -> None:
        """Back to the library (the box's sentence goes with the result it asked for)."""
        window = self.window
        if window.ranked is None and window.custom_query is None:
            return
        if window.ranked is not None and window.ranked.sentence:
            window.controls.show_text("")
        window.ranked = None
        window.custom_query = None
        await window.reload_from_top()

    def show_failure(self, error: DamError) -> None:
        """A query that cannot run: the grid shows why instead of the previous result, and the
        search box marks the place of a query error."""
        window = self.window
        in_box = isinstance(error, QueryError) and window.ranked is None
        message = error.message if isinstance(error, QueryError) else str(error)
        window.search_failure = getattr(error, "user_message", None) or message
        window.toolbar.show_query_error(error if in_box else None)
        window.model.show_nothing()
        window.grid.set_empty_state(self.empty_state())

    def update_banner(self) -> None:
        """The header over the grid: a result's title, method, notes and chip, or the trash's."""
        window = self.window
        if window.ranked is not None:
            ranking = window.model.ranking
            method = f" — {ranking.method}" if ranking is not None and ranking.method else ""
            notes = ranking.notes if ranking is not None else ()
            window.banner.show_result(window.ranked.title + method, window.ranked.narrowing, notes)
        elif window.custom_query is not None:
            window.banner.show_result(window.result_title)
        elif window.view_key == TRASH_VIEW:
            window.banner.show_trash(window.counts.trashed)
        else:
            window.banner.hide()

    def empty_state(self) -> EmptyState:
        """What an empty grid says: why its read failed, the query's error, "No matches for …" in
        a library with assets, or the drop prompt in an empty one."""
        window = self.window
        if window.read_failure.reason is not None:
            return read_error(window.read_failure.reason)
        if window.view_key == TRASH_VIEW:
            return EMPTY_TRASH
        if window.search_failure is not None:
            return search_error(window.search_failure)
        if not window.counts.assets:
            return DROP_HERE
        ranked = window.ranked
        if ranked is not None:
            what = f"“{ranked.sentence}”" if ranked.sentence else ranked.title[:1].lower() + ranked.title[1:]
            hint = (
                f"Nothing ranked among the assets matching “{ranked.narrowing}”: remove that narrowing "
                "query, or try other words."
                if ranked.narrowing
                else "Nothing could be compared yet: embeddings are made in the background after import."
            )
            return no_matches(what, hint)
        if window.custom_query is not None:
            return no_matches(window.result_title, "")
        if window.search_text:
            return no_matches(
                f"“{window.search_text}”",
                "Check the spelling, use fewer terms, or press Escape to see all assets.",
            )
        return DROP_HERE
