"""A damaged library database: found on open by a bounded check, or at any moment by SQLite.

Once SQLite reports SQLITE_CORRUPT (or NOTADB) on any statement, the library goes read-only in
that process: every later write fails with `LibraryDamagedError`, whose message names the next
step (`dam-desktop repair`), and the window is told so it can say it. Writing on into a damaged
b-tree can spread the damage to pages that were still whole, and a repair then recovers less.

The open-time check is `PRAGMA quick_check` (the b-tree structure of every table and index,
without cross-checking index contents) under a time budget. Measured on a library of a million
rows (73 MB) with a warm page cache: 0.23 s on a quiet machine, 0.6 s at load 10 (the full
`integrity_check`: 4.7 s there), so the budget below covers such a library completely; past it the
check stops and the rest is left to detection in use (`benchmarks/library_safety_bench.py`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shlex
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from dam_desktop.core.errors import LibraryDamagedError

log = logging.getLogger(__name__)

SQLITE_CORRUPT = 11
SQLITE_NOTADB = 26
OPEN_CHECK_BUDGET_S = 1.0
# How long the open-time check waits for the window's first paint before it runs anyway.
OPEN_CHECK_GATE_S = 3.0
PROBLEMS_REPORTED = 10
# Statements that change the file; with the library damaged they are refused before they run.
_WRITE_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "VACUUM"})


def is_corruption(exc: BaseException | None) -> bool:
    """True when `exc` (or what it wraps) is SQLite saying the file is damaged."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, sqlite3.DatabaseError):
            code = getattr(exc, "sqlite_errorcode", None)
            if code is not None and code & 0xFF in (SQLITE_CORRUPT, SQLITE_NOTADB):
                return True
            text = str(exc)
            if "malformed" in text or "file is not a database" in text:
                return True
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
    return False


@dataclass(frozen=True)
class CheckResult:
    problems: tuple[str, ...]  # empty: nothing found
    complete: bool  # False: the budget ran out before the whole file was checked
    seconds: float


BACKGROUND_NICENESS = 10


def lower_this_threads_priority() -> None:
    """Let the calling thread give way to the window's (Linux, where a thread has a priority of
    its own): the open-time check runs beside the first paint, and on a busy machine it should
    take the spare time, not the window's. Elsewhere it does nothing."""
    # Only Linux: elsewhere the same call would name a process whose id equals the thread's.
    if sys.platform == "linux":
        with contextlib.suppress(OSError):  # not allowed here: the check runs at the usual priority
            thread = threading.get_native_id()
            if os.getpriority(os.PRIO_PROCESS, thread) < BACKGROUND_NICENESS:
                os.setpriority(os.PRIO_PROCESS, thread, BACKGROUND_NICENESS)


def quick_check(db_path: Path, budget_s: float = OPEN_CHECK_BUDGET_S) -> CheckResult:
    """`PRAGMA quick_check` on `db_path`, stopped after `budget_s` seconds."""
    started = time.perf_counter()
    deadline = started + budget_s
    try:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as connection:
            connection.set_progress_handler(lambda: int(time.perf_counter() > deadline), 10_000)
            rows = connection.execute(f"PRAGMA quick_check({PROBLEMS_REPORTED})").fetchall()
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            return CheckResult((), complete=False, seconds=time.perf_counter() - started)
        if not is_corruption(exc):
            raise
        rows = [(str(exc),)]
    except sqlite3.DatabaseError as exc:
        rows = [(str(exc),)]
    problems = tuple(str(row[0]) for row in rows if row[0] != "ok")
    return CheckResult(problems, complete=True, seconds=time.perf_counter() - started)


def damaged_message(db_path: Path, detail: str) -> str:
    library = db_path.parent
    return (
        f"the library database {db_path} is damaged ({detail}); nothing more is written to it. "
        f"Close dam-desktop and run `dam-desktop --library {shlex.quote(str(library))} repair` to rebuild it "
        "(the damaged file is kept)"
    )


class DamageGuard:
    """Watches one library engine: marks the library damaged on the first corruption error and
    from then on refuses writes. Listeners are called once, on the thread that saw the damage."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.detail: str | None = None
        self._lock = threading.Lock()
        self._listeners: list[Callable[[str], None]] = []
        # Cleared while the open-time check runs in the background: a write waits for its verdict,
        # so nothing is written into a damaged b-tree; reads go ahead (the grid lists at once).
        self._checked = threading.Event()
        self._checked.set()

    @property
    def damaged(self) -> bool:
        return self.detail is not None

    @property
    def message(self) -> str:
        return damaged_message(self.db_path, self.detail or "unknown damage")

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "handle_error", self._on_error)
        event.listen(engine, "before_cursor_execute", self._before_execute)
        event.listen(engine, "checkout", self._on_checkout)

    def add_listener(self, listener: Callable[[str], None]) -> None:
        """Call `listener(message)` when the damage is found (at once if it already is)."""
        with self._lock:
            self._listeners.append(listener)
            already = self.damaged
        if already:
            listener(self.message)

    def begin_check(self) -> None:
        self._checked.clear()

    def end_check(self, result: CheckResult | None) -> None:
        if result is not None and result.problems:
            self.mark_damaged("; ".join(result.problems[:3]))
        self._checked.set()

    def mark_damaged(self, detail: str) -> None:
        with self._lock:
            if self.detail is not None:
                return
            self.detail = detail
            listeners = list(self._listeners)
        log.info("library database damaged: %s", detail)
        for listener in listeners:
            try:
                listener(self.message)
            except Exception:
                log.exception("a damage listener failed")

    def _on_error(self, context: Any) -> None:
        if is_corruption(context.original_exception):
            self.mark_damaged(str(context.original_exception))
            raise LibraryDamagedError(self.message) from context.original_exception

    def _before_execute(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().split(None, 1)[0].upper() not in _WRITE_VERBS:
            return
        if not self._checked.is_set():
            # Bounded: the check stops itself after its budget.
            self._checked.wait(OPEN_CHECK_BUDGET_S + 5.0)
        if self.damaged:
            raise LibraryDamagedError(self.message)

    def _on_checkout(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        # Also refused by SQLite itself, for writes this guard's verb list would not name.
        if self.damaged:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("PRAGMA query_only = ON")
            finally:
                cursor.close()
