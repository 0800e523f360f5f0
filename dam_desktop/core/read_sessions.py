"""Sessions for reads only, and what they may remember between searches.

On a shared library every transaction costs two round trips of its own (`BEGIN`, then `ROLLBACK`
when the session closes) and each waits for a CPU on the server's machine: a small search's page
made six. A read session's connection is in autocommit mode on PostgreSQL, so each statement is
its own transaction and only the statements travel. On a library folder it is an ordinary session.

A read session must not write: each statement would commit alone. Use `World.session()` for
anything that changes the library.

The world's read cache (`core.read_cache`) is emptied here when any of its sessions commits.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from dam_desktop.core.read_cache import CACHE_KEY


def read_engine(engine: AsyncEngine) -> AsyncEngine:
    """`engine`, in autocommit mode on PostgreSQL (the same pool)."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    """A commit through any of the world's sessions may change what the cache holds."""
    cache = session.info.get(CACHE_KEY)
    if isinstance(cache, dict):
        cache.clear()
