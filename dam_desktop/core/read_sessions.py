"""Sessions for reads only, and what they may remember between searches.

On a shared library every transaction costs two round trips of its own (`BEGIN`, then `ROLLBACK`
when the session closes) and each waits for a CPU on the server's machine: a small search's page
made six. A read session's connection is in autocommit mode on PostgreSQL, so each statement is
its own transaction and only the statements travel. On a library folder it is an ordinary session.

A read session must not write: each statement would commit alone. Use `World.session()` for
anything that changes the library. On PostgreSQL a read session and `ServerReads` take their
connection through `read_connection`, which gives it back to the pool however the read ends.

The world's read cache (`core.read_cache`) is emptied here when any of its sessions commits.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.orm import Session

from dam_desktop.core.read_cache import CACHE_KEY

# Connections checked out for a caller that was cancelled meanwhile, on their way back to the pool.
_RETURNING: set[asyncio.Task[None]] = set()


def read_engine(engine: AsyncEngine) -> AsyncEngine:
    """`engine`, in autocommit mode on PostgreSQL (the same pool)."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


@asynccontextmanager
async def read_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection of `engine` (a `read_engine`), given back to the pool however the caller ends.

    Checking a connection out of the read engine switches it to autocommit after the pool has
    handed it over, before SQLAlchemy's `Connection` exists to give it back; psycopg may let the
    loop run inside that switch (it does once the loop has been busy for 5 ms: often, on a loaded
    machine), and a cancel landing there (a superseded search, a window closing) dropped the
    connection unreturned: the garbage collector found it later ("non-checked-in connection").
    So the checkout runs in a task of its own that a cancel of the caller does not stop: the
    caller goes at once, and the connection, once out, is closed back into the pool."""
    checkout = asyncio.ensure_future(engine.connect().start())
    try:
        connection = await asyncio.shield(checkout)
    except asyncio.CancelledError:
        checkout.add_done_callback(_give_back)
        raise
    try:
        yield connection
    finally:
        await asyncio.shield(connection.close())


def _give_back(checkout: asyncio.Future[AsyncConnection]) -> None:
    if checkout.cancelled() or checkout.exception() is not None:
        return
    closing = asyncio.ensure_future(checkout.result().close())
    _RETURNING.add(closing)
    closing.add_done_callback(_RETURNING.discard)


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    """A commit through any of the world's sessions may change what the cache holds."""
    cache = session.info.get(CACHE_KEY)
    if isinstance(cache, dict):
        cache.clear()
