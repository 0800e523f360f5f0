"""The library database: SQLite through SQLAlchemy 2's asyncio API (aiosqlite).

Why async SQLAlchemy rather than a hand-rolled DB thread: the spec's systems are `async def`
functions taking an `AsyncSession`, and aiosqlite already runs each connection's SQL on its own
thread. The GUI never awaits the world directly either: the world lives on its own event loop in a
worker thread (`core.world_thread`), so even ORM row processing stays off the GUI thread.

Every connection gets the same pragmas: WAL so readers never block the writer, real foreign keys
so deleting an entity cascades to its components, a busy timeout instead of instant "database is
locked" errors, and synchronous=NORMAL, which in WAL mode is crash-safe for the database file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as _AsyncSession

BUSY_TIMEOUT_MS = 10_000
SOFT_HEAP_LIMIT = 16 * 1024 * 1024

SQLITE_PRAGMAS: tuple[tuple[str, str], ...] = (
    ("journal_mode", "WAL"),
    ("foreign_keys", "ON"),
    ("busy_timeout", str(BUSY_TIMEOUT_MS)),
    ("synchronous", "NORMAL"),
    ("temp_store", "MEMORY"),
    # 8 MiB of page cache per connection, by measurement: with 64 MiB the window at 1M assets held
    # 180 MB of SQLite heap after grid_bench.py's session, each of the world's pooled connections
    # filling its own cache; the file's pages stay in the OS's cache, a read away.
    ("cache_size", "-8192"),
    # And all connections of the process together (the window holds a dozen: the world's pool, the
    # read pool) give back their least recently used pages past 16 MiB of SQLite heap: 78 MB at 1M
    # assets after grid_bench.py's session without it, 36 MB with 32 MiB. Counts over 1M rows took
    # the same CPU with 16 MiB as with 32 (32-42 ms, 128-215 ms, within noise). Process-wide: any
    # connection sets it.
    ("soft_heap_limit", str(SOFT_HEAP_LIMIT)),
    # No memory map, by measurement: mapped pages of the library file are resident memory of the
    # process, so with a 2 GiB map the window's memory grew with the library (the grid bench's
    # 24-round session at 100k: 615 MB, 250 MB of it the mapped file; 391 MB without the map). The
    # searches the window waits on run on the read connections, unmapped since their own
    # measurement (`read_pool`); tag_bench at 100k took the same CPU per line on this session
    # without the map, within noise (at 1M a count plus a page had taken 10 ms with it, 20 without).
    ("mmap_size", "0"),
)


def apply_pragmas(dbapi_connection: Any, _record: Any = None) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for name, value in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {name}={value}")
    finally:
        cursor.close()


def create_library_engine(db_path: Path) -> AsyncEngine:
    engine = create_async_engine(f"sqlite+aiosqlite:///{db_path}")
    event.listen(engine.sync_engine, "connect", apply_pragmas)
    return engine


def create_sync_library_engine(db_path: Path) -> Engine:
    """A synchronous engine for migrations and tools that must not need an event loop.

    Its transactions are real SQLite transactions, DDL included (SQLAlchemy's documented pysqlite
    recipe): the driver's own transaction handling commits before every CREATE, DROP or ALTER, so
    a migration killed half-way used to leave a schema that matched no revision ("table entities
    already exists") and a library that never opened again. Here the driver is put in autocommit
    mode and the engine emits `BEGIN IMMEDIATE` itself, so an upgrade is one transaction that a
    crash rolls back whole, and the write lock is taken before the first statement.
    """
    engine = create_engine(f"sqlite:///{db_path}")
    event.listen(engine, "connect", _connect_for_real_transactions)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _connect_for_real_transactions(dbapi_connection: Any, record: Any) -> None:
    apply_pragmas(dbapi_connection, record)
    dbapi_connection.isolation_level = None


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_maker(
    engine: AsyncEngine, info: dict[str, Any] | None = None
) -> async_sessionmaker[_AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, info=info)


def create_read_only_library_engine(db_path: Path) -> AsyncEngine:
    """An engine whose connections cannot write (SQLite's `mode=ro`): readers beside a writer that
    holds the library's lock. In WAL mode they see its last commit and never wait for it."""
    engine = create_async_engine(f"sqlite+aiosqlite:///file:{quote(str(db_path))}?mode=ro&uri=true")
    event.listen(engine.sync_engine, "connect", apply_pragmas)
    return engine
