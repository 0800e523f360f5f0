"""Plain sqlite3 read-only connections to the library, each run on a worker thread of its own.

The grid's pages and result counts go through these rather than the world's session: sqlite3
hands back tuples of ints where SQLAlchemy built a row object per id (a fifth of a 655k-id
listing's time), SQLite runs without the GIL so a long count on one connection does not hold up a
page on another, and the world's loop stays free for everything else meanwhile. A read whose
awaiting task is cancelled (the user typed another query) is stopped inside SQLite, so a count
over a million rows stops within milliseconds instead of finishing for nobody.

In WAL mode a reader sees the last commit and never waits for the writer.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

# Virtual machine steps between SQLite's questions whether to stop (a few microseconds' worth).
PROGRESS_STEPS = 1_000

# No memory map and a 16 MiB page cache, by measurement: at 1M assets the first screens and counts
# took the same CPU as with the world's 2 GiB map and 64 MiB cache (broad count 723 ms against
# 695, first screens within noise, tag_bench_stream.py back to back), while a mapped library is
# resident memory of the window's own: the grid bench's scripted session at 100k read 632 MB
# without the map on these connections and 669-715 MB with it.
READ_PRAGMAS: tuple[tuple[str, str], ...] = (
    ("busy_timeout", "10000"),
    ("temp_store", "MEMORY"),
    ("cache_size", "-16384"),
    ("mmap_size", "0"),
    ("query_only", "1"),
    ("soft_heap_limit", str(16 * 1024 * 1024)),  # process-wide, as the world's (core/database.py)
)


def connect_read_only(db_path: Path) -> sqlite3.Connection:
    """A connection that cannot write, usable from one thread at a time (any thread)."""
    connection = sqlite3.connect(
        f"file:{quote(str(db_path))}?mode=ro", uri=True, check_same_thread=False, isolation_level=None
    )
    for name, value in READ_PRAGMAS:
        connection.execute(f"PRAGMA {name}={value}")
    return connection


class ReadPool:
    """Up to `size` connections; each read takes an idle one (or opens one) for its duration."""

    def __init__(self, db_path: Path, size: int = 2) -> None:
        self.db_path = db_path
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="dam-read")
        self._idle: list[sqlite3.Connection] = []
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    async def fetchall(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Every row of `sql`; cancelling the awaiting task interrupts the statement."""
        if self._closed:
            raise RuntimeError("the library's read connections are closed")
        loop = asyncio.get_running_loop()
        cancelled = threading.Event()

        def run() -> list[tuple[Any, ...]]:
            connection = self._take()
            # SQLite asks every few thousand steps whether to stop: a cancel at any moment, even
            # before the statement starts, ends it (an interrupt() between statements is lost).
            connection.set_progress_handler(cancelled.is_set, PROGRESS_STEPS)
            try:
                return connection.execute(sql, dict(params or {})).fetchall()
            finally:
                connection.set_progress_handler(None, 0)
                self._give(connection)

        future = loop.run_in_executor(self._executor, run)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            cancelled.set()
            future.cancel()  # not started yet: it never runs
            raise

    async def fetch_together(
        self, statements: Sequence[tuple[str, Mapping[str, Any] | None]]
    ) -> list[list[tuple[Any, ...]]]:
        """Each statement's rows, one after the other (a library file has no round trips to save)."""
        return [await self.fetchall(sql, params) for sql, params in statements]

    @property
    def opened(self) -> int:
        """How many connections are open."""
        with self._lock:
            return len(self._all)

    def _take(self) -> sqlite3.Connection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        connection = connect_read_only(self.db_path)
        with self._lock:
            self._all.append(connection)
        return connection

    def _give(self, connection: sqlite3.Connection) -> None:
        with self._lock:
            self._idle.append(connection)

    def close(self) -> None:
        """Wait for reads in flight, then close every connection."""
        self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            for connection in self._all:
                connection.close()
            self._all.clear()
            self._idle.clear()


class ServerReads:
    """`World.reads` on a shared library: the same reads, on the world's PostgreSQL engine.

    The server runs each statement on a connection of the pool, so the world's loop only waits;
    cancelling the awaiting task cancels the statement on the server (psycopg sends the cancel).
    Statements come in PostgreSQL's spelling (see `search_service.for_dialect`). The engine given
    is in autocommit mode (`core.read_sessions`): a read is one round trip, not three. A read
    whose connection turns out dead (the server restarted under it) is run once more on a fresh
    one: it changed nothing, so running it again is safe."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self._compiled: dict[str, str] = {}

    async def fetchall(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        (rows,) = await self.fetch_together([(sql, params)])
        return rows

    async def fetch_together(
        self, statements: Sequence[tuple[str, Mapping[str, Any] | None]]
    ) -> list[list[tuple[Any, ...]]]:
        """Each statement's rows; more than one are sent in one pipeline (one round trip)."""
        from sqlalchemy import exc

        try:
            return await self._fetch(statements)
        except exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
        return await self._fetch(statements)

    async def _fetch(
        self, statements: Sequence[tuple[str, Mapping[str, Any] | None]]
    ) -> list[list[tuple[Any, ...]]]:
        """On the driver's own cursors: their rows are tuples already, where SQLAlchemy built a
        row object for each (a first screen's 1,000 rows took twice as long)."""
        from dam_desktop.core.read_sessions import read_connection

        async with read_connection(self.engine) as connection:
            raw = await connection.get_raw_connection()
            try:
                return await fetch_pipelined(
                    raw.driver_connection, [(self._driver_sql(sql), params) for sql, params in statements]
                )
            except Exception as error:
                # As SQLAlchemy would say it: a dead connection is invalidated (see fetch_together).
                from sqlalchemy import exc

                disconnect = self.engine.dialect.is_disconnect(error, raw, None)
                if disconnect:
                    await connection.invalidate(error)
                raise exc.DBAPIError.instance(
                    statements[0][0], statements[0][1], error, Exception, connection_invalidated=disconnect
                ) from error

    def _driver_sql(self, sql: str) -> str:
        """`sql` with its `:name` parameters in the driver's spelling (`%(name)s`, `%` doubled)."""
        found = self._compiled.get(sql)
        if found is None:
            from sqlalchemy import text

            found = str(text(sql).compile(dialect=self.engine.dialect))
            if len(self._compiled) > 256:
                self._compiled.clear()
            self._compiled[sql] = found
        return found

    def close(self) -> None:
        """Nothing of its own to close: the engine is the world's."""


async def fetch_pipelined(
    driver: Any, statements: Sequence[tuple[str, Mapping[str, Any] | None]]
) -> list[list[tuple[Any, ...]]]:
    """Each statement's rows, on psycopg's connection `driver`; more than one are sent in one
    pipeline (one round trip). The statements are in the driver's spelling (`%(name)s`)."""
    cursors = [driver.cursor() for _ in statements]
    try:
        if len(statements) == 1:
            await cursors[0].execute(statements[0][0], dict(statements[0][1] or {}))
        else:
            async with driver.pipeline():
                for cursor, (sql, params) in zip(cursors, statements, strict=True):
                    await cursor.execute(sql, dict(params or {}))
        return [list(await cursor.fetchall()) for cursor in cursors]
    finally:
        for cursor in cursors:
            await cursor.close()
