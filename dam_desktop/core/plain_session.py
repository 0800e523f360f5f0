"""The reads the tag query compiler makes, on a plain sqlite3 connection as on the world's session.

Compiling a query looks tag names up and counts a word's matches: a few SELECTs. The command
line's `search` runs them on a read-only sqlite3 connection (`PlainSession`) so it needs neither
the world nor SQLAlchemy (a third of a second to import on the 2-core machine, where the whole
command should take about that); the world runs the same code on its `AsyncSession`. `fetch_rows`
is the one place that tells them apart. Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

Params = dict[str, Any]
T = TypeVar("T")


class PlainSession:
    """A sqlite3 connection in the place of a session, for statements with named parameters
    (`:name`), which both drivers accept."""

    # What `sql_dialect.dialect_name` reads: no engine, so SQLite's spelling.
    bind = None

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def rows(self, sql: str, params: Params | None = None) -> list[Any]:
        return self.connection.execute(sql, params or {}).fetchall()


AnySession: TypeAlias = "AsyncSession | PlainSession"


async def fetch_rows(session: AnySession, sql: str, params: Params | None = None) -> list[Any]:
    """Every row of a textual SELECT, on either kind of session."""
    if isinstance(session, PlainSession):
        return session.rows(sql, params)
    from sqlalchemy import text  # loaded already: an AsyncSession exists

    return list((await session.execute(text(sql), params or {})).all())


def run_plain(step: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that reads only through a `PlainSession`. Such a coroutine never
    waits, so it ends on its first step: no event loop is needed (nor allowed to be missing, as
    `asyncio.run` would need inside a running one)."""
    try:
        step.send(None)
    except StopIteration as done:
        return cast(T, done.value)
    step.close()
    raise RuntimeError("a plain read waited on something: it must read only through its PlainSession")
