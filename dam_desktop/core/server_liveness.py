"""Only live connections out of a shared library's pool, without a round trip per checkout.

SQLAlchemy's `pool_pre_ping` sends `SELECT 1` each time a connection leaves the pool: a fifth of
the round trips of a small search, each of which waits for a CPU on the server's machine. A
connection the server ended (restarted overnight, `pg_terminate_backend`, an idle timeout) has
said so on its socket: the server sends its FATAL message and closes the connection. So a
checkout looks at the socket instead, which costs no round trip; only when something is waiting
there (or the connection sat idle in the pool for a while, when a silent network may have dropped
it) is the connection pinged, and a dead one is replaced by a fresh one before anyone uses it.
"""

from __future__ import annotations

import logging
import select
import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

# A connection idle in the pool longer than this is pinged before use (a router or firewall may
# have dropped it without a word).
IDLE_PING_S = 30.0
_RETURNED_AT = "dam_returned_at"


def watch_liveness(engine: Engine) -> None:
    """Check each connection leaving `engine`'s pool as the module docstring says."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle = time.monotonic() - record.info.get(_RETURNED_AT, time.monotonic())
        if not (_server_said_something(dbapi_connection) or idle > IDLE_PING_S):
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as error:  # any failure: the pool connects afresh and checks again
            log.info("a pooled connection to the server is dead, replacing it: %s", error)
            raise exc.DisconnectionError(str(error)) from error


def _server_said_something(dbapi_connection: Any) -> bool:
    """Whether the server sent anything to a connection that is idle (no query of ours pending),
    or the connection is known broken: a closing server's FATAL message, or end of file."""
    driver = getattr(dbapi_connection, "driver_connection", dbapi_connection)
    if getattr(driver, "closed", False) or getattr(driver, "broken", False):
        return True
    try:
        socket = driver.pgconn.socket
        readable, _, _ = select.select([socket], [], [], 0)
    except Exception:  # no socket any more: certainly not usable
        return True
    return bool(readable)
