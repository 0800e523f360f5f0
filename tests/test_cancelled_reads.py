"""A read cancelled at any moment (the user typed on, the window closed) gives its pooled connection
back to the pool: none is left checked out for the garbage collector to find (SQLAlchemy's
"non-checked-in connection" warning, which on a shared library also means a server connection
held until the process ends)."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import exc, text

# More loop steps than a read takes to check its connection out and switch it to autocommit.
STEPS = 40


def _checked_out(world: Any) -> int:
    pool = world.engine.sync_engine.pool
    return int(pool.checkedout()) if hasattr(pool, "checkedout") else 0


async def _cancelled_at_each_step(read: Callable[[], Awaitable[object]]) -> None:
    """Start `read` and cancel it after 0, 1, 2, ... loop steps: somewhere inside each of its
    awaits, the checkout's included. Each starts with a connection idle in the pool (a whole read
    first), as a window's reads do, so its checkout needs no round trip."""
    for step in range(STEPS):
        await read()
        task = asyncio.ensure_future(read())
        for _ in range(step):
            await asyncio.sleep(0)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _all_given_back(world: Any) -> bool:
    """Closing a cancelled read's session finishes in a task of its own: let it."""
    for _ in range(500):
        if _checked_out(world) == 0:
            return True
        await asyncio.sleep(0.01)
    return False


@pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")
async def test_a_read_cancelled_at_any_step_gives_its_connection_back(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # psycopg lets the loop run inside a call that needs no round trip (switching a connection
    # to autocommit as a read checks it out) once the loop has been busy for 5 ms: on a loaded
    # machine, often. Here always, so a cancel can land there on every run.
    import psycopg.waiting

    monkeypatch.setattr(psycopg.waiting, "MAX_BUSY_TIME", 0.0)

    async def in_a_read_session() -> None:
        async with world.read_session() as session:
            await session.execute(text("SELECT count(*) FROM entities"))

    async def on_the_read_connections() -> None:
        await world.reads.fetchall("SELECT count(*) FROM entities")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", exc.SAWarning)
        for read in (in_a_read_session, on_the_read_connections):
            await _cancelled_at_each_step(read)
        assert await _all_given_back(world), f"{_checked_out(world)} connection(s) never given back"
        gc.collect()
    leaked = [str(w.message) for w in caught if issubclass(w.category, exc.SAWarning)]
    assert leaked == []
    await in_a_read_session()  # and the pool still serves reads
