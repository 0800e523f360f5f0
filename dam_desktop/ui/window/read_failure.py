"""A reload of the grid that failed for a reason that is not the query's: the shared library's
server went away, the database could not be read, anything the read did not expect.

A query that cannot run (a `DamError`) empties the grid and says why (`RankedFlow.show_failure`).
A failed read says why too, in a red label in the status bar, and never with a traceback (that
goes to the log). The grid keeps its rows when they are the result asked for (a refresh after a
change, read before): stale rows, labelled as such, are more use than none while a server
restarts. When the user asked for another result (a new search, view or sort), the old rows would
answer the wrong question, so the grid is emptied and says why, as for a query error. A result
whose later pages could not be read (past its first screen) keeps the rows read, said in the label
to be its first part only, and the count says "at least". The next read that succeeds shows fresh
rows and hides the label. A read beside the grid's (the tag counts, the tiles' facts) that fails is
said in the same label, unless it already says why the grid's failed; the next read of the same
kind that succeeds, or of the grid, hides it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStyle

from dam_desktop.ui.grid.empty_state import EmptyState

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow

log = logging.getLogger(__name__)

TITLE = "The library could not be read"
# Longer reasons are cut: a driver's message may hold a whole statement.
MAX_REASON = 240
# What a failed read beside the grid's leaves shown, said after the reason.
TAG_COUNTS_STALE = "the tag counts show what was read before"
TILES_STALE = "some tiles may be blank or out of date"
SELECTION_TAGS_UNREAD = "the selection's tags are not shown"
SELECTION_MARKS_UNREAD = "the selection's marks are not shown"


# What a read that lost its connection says: the driver's own words name a socket or a port.
SERVER_GONE = "the server cannot be reached"


def failure_reason(error: BaseException) -> str:
    """One line for people: that the server cannot be reached, where the connection was lost (the
    status bar's shared-library label says more); else the first line of the driver's own message
    where there is one (the wrapper's names the statement and links to its docs), else the
    error's type."""
    cause = getattr(error, "orig", None) or error
    if getattr(error, "connection_invalidated", False) or _connection_failed(cause):
        return SERVER_GONE
    lines = str(cause).strip().splitlines()
    reason = lines[0].strip() if lines else ""
    if not reason:
        reason = type(cause).__name__
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


def _connection_failed(cause: BaseException) -> bool:
    """The driver could not reach the server, or lost it mid-read: psycopg raises its plain
    OperationalError for those (a statement cancelled or timed out raises a subclass of it). By
    name: the window does not import the driver."""
    kind = type(cause)
    return kind.__name__ == "OperationalError" and kind.__module__.split(".")[0] == "psycopg"


def read_error(reason: str) -> EmptyState:
    return EmptyState(
        TITLE,
        f"{reason[:1].upper()}{reason[1:]}. Search or choose a view again to retry.",
        QStyle.StandardPixmap.SP_MessageBoxCritical,
    )


class ReadFailure:
    """Whether the grid's last read failed, and what the user is told about it."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.reason: str | None = None  # why the last read failed; None once one succeeds
        self._rows_of: tuple[object, ...] | None = None  # the result the grid's rows answer
        self._beside: str | None = None  # what a failed read beside the grid's left shown, if one did
        window.model.rest_failed.connect(self.rest_failed)
        window.model.infos_failed.connect(lambda error: self.beside_failed(error, TILES_STALE))
        window.model.infos_arrived.connect(lambda _ids: self.beside_read(TILES_STALE))

    def result_asked(self) -> tuple[object, ...]:
        """What identifies the result the window asks for now (equal for a refresh of it)."""
        w = self.window
        return (w.view_key, w.search_text, w.sort, w.descending, w.custom_query, w.ranked)

    def loaded(self, asked: tuple[object, ...]) -> None:
        """The rows now shown are the result `asked`, freshly read."""
        self._rows_of = asked
        self.cleared()

    def cleared(self) -> None:
        """A read succeeded: nothing to report any more."""
        if self.reason is None:
            return
        self.reason, self._beside = None, None
        self.window.status_bar.show_read_failure(None)

    async def read_counts(self, asked: tuple[object, ...]) -> None:
        """The window's counts, read again after the result `asked`; a failure is said as the
        result's would be."""
        try:
            await self.window.update_counts()
        except Exception as exc:
            self.failed(exc, asked)

    def failed(self, error: Exception, asked: tuple[object, ...]) -> None:
        """The read of the result `asked` raised `error`: say so; keep the rows only if they are
        that result's."""
        log.warning("reading the grid's result failed", exc_info=error)
        window = self.window
        self.reason, self._beside = failure_reason(error), None
        kept = asked == self._rows_of and window.model.rowCount() > 0
        window.status_bar.show_read_failure(f"{TITLE}: {self.reason}" + (self._kept_words() if kept else ""))
        if not kept:
            self._rows_of = None
            window.search_failure = None
            window.toolbar.show_query_error(None)
            window.model.show_nothing()
        window.grid.set_empty_state(window.ranked_flow.empty_state())

    def rest_failed(self, error: Exception) -> None:
        """Reading the rest of the result shown raised `error`: the rows read stay, said to be only
        its first part (the model marks itself incomplete, and the count says so)."""
        log.warning("reading the rest of the grid's result failed", exc_info=error)
        self.reason, self._beside = failure_reason(error), None
        self.window.status_bar.show_read_failure(f"{TITLE}: {self.reason}{self._kept_words()}")

    def _kept_words(self) -> str:
        """What the rows kept are: the result's first part only (the rest could not be read,
        whatever failed after), else what was read before."""
        model = self.window.model
        if model.incomplete:
            return f" · showing only the first {model.rowCount():,} of the result"
        return " · showing what was read before"

    def beside_failed(self, error: Exception, left_shown: str) -> None:
        """A read beside the grid's raised `error`, leaving `left_shown` (`TAG_COUNTS_STALE`...):
        say so, unless the label already says why the grid's own read failed."""
        log.warning("a read beside the grid's failed (%s)", left_shown, exc_info=error)
        if self.reason is not None and self._beside is None:
            return
        self.reason, self._beside = failure_reason(error), left_shown
        self.window.status_bar.show_read_failure(f"{TITLE}: {self.reason} · {left_shown}")

    def beside_read(self, left_shown: str) -> None:
        """A read of the kind that failed leaving `left_shown` succeeded: nothing to say of it."""
        if self._beside == left_shown:
            self.cleared()
