"""Live changes between the workstations of a shared library: PostgreSQL's LISTEN/NOTIFY.

After each commit the world tells its own listeners what changed (`World.notify_changed`); on a
shared library it also sends the change to the server's `dam_changes` channel, and every other
workstation's feed, listening on that channel, tells its own listeners the same `WorldChanged`.
The window refreshes the rows and counts it names as it does for its own edits. NOTIFY is
delivered after the sender's commit, so the receiver reads the committed rows.

A payload is at most 8,000 bytes: a change naming more than `MAX_IDS` assets is sent as
"everything" (the receiver re-reads what it shows), which a bulk edit of that size costs anyway.
Each feed holds two connections of its own, one listening and one sending, beside the engine's
pool. When the server goes away the feed retries quietly every few seconds; the world's own
calls report the failure to the user.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
from collections.abc import Callable
from typing import Any

from dam_desktop.core.events import WorldChanged

log = logging.getLogger(__name__)

CHANNEL = "dam_changes"
MAX_IDS = 500
RETRY_S = 3.0
APPLICATION_PREFIX = "dam-desktop "


def application_name(client: str) -> str:
    """How this process names its connections on the server (`pg_stat_activity`): 63 bytes max."""
    return (APPLICATION_PREFIX + client)[:63]


def encode(change: WorldChanged, client: str) -> str:
    ids = sorted(change.entity_ids)
    everything = change.everything or len(ids) > MAX_IDS
    return json.dumps(
        {
            "c": client,
            "i": [] if everything else ids,
            "k": sorted(change.components),
            "a": change.added,
            "r": change.removed,
            "e": everything,
        },
        separators=(",", ":"),
    )


def decode(payload: str) -> tuple[str, WorldChanged] | None:
    """The sender and its change, or None for a payload that is not one of ours."""
    try:
        data = json.loads(payload)
        change = WorldChanged.of(
            (int(i) for i in data["i"]),
            *(str(k) for k in data["k"]),
            added=bool(data["a"]),
            removed=bool(data["r"]),
            everything=bool(data["e"]),
        )
        return str(data["c"]), dataclasses.replace(change, origin=str(data["c"]))
    except (ValueError, KeyError, TypeError):
        return None


class ChangeFeed:
    """Sends this world's changes to the other workstations and hands theirs to `deliver`."""

    def __init__(self, url: str, client: str, deliver: Callable[[WorldChanged], None]) -> None:
        self.url = "postgresql://" + url.strip().split("://", 1)[1]
        self.client = client
        self._deliver = deliver
        self._sender: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self._pending: set[asyncio.Task[None]] = set()
        # False while the server cannot be reached (the listener retries); see `on_connection`.
        self.connected = False
        self._on_connection: list[Callable[[bool], None]] = []

    def on_connection(self, listener: Callable[[bool], None]) -> None:
        """Call `listener(connected)` whenever the feed loses or regains the server."""
        self._on_connection.append(listener)

    def _set_connected(self, connected: bool) -> None:
        if connected == self.connected:
            return
        self.connected = connected
        for listener in list(self._on_connection):
            try:
                listener(connected)
            except Exception:
                log.exception("a connection listener failed")

    async def start(self) -> None:
        """Connect and LISTEN; returns once notifications will be received."""
        self._listener = asyncio.create_task(self._listen_forever(), name="dam-change-feed")
        await self._listening.wait()

    async def _connect(self) -> Any:
        import psycopg

        return await psycopg.AsyncConnection.connect(
            self.url, autocommit=True, connect_timeout=5, application_name=application_name(self.client)
        )

    async def _listen_forever(self) -> None:
        import psycopg

        while True:
            try:
                connection = await self._connect()
                async with connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    self._set_connected(True)
                    self._listening.set()
                    async for notice in connection.notifies():
                        self._received(notice.payload)
            except asyncio.CancelledError:
                raise
            except (psycopg.Error, OSError) as exc:
                log.warning("the shared library's change feed lost the server (%s); retrying", exc)
                self._set_connected(False)
                self._listening.set()  # start() must not wait for a server that is gone
                await asyncio.sleep(RETRY_S)

    def _received(self, payload: str) -> None:
        decoded = decode(payload)
        if decoded is None or decoded[0] == self.client:
            return
        try:
            self._deliver(decoded[1])
        except Exception:
            log.exception("delivering another workstation's change failed")

    def publish(self, change: WorldChanged) -> None:
        """Send `change` (after its commit) without making the caller wait for the server."""
        task = asyncio.get_running_loop().create_task(self._send(encode(change, self.client)))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _send(self, payload: str) -> None:
        import psycopg

        try:
            if self._sender is None or self._sender.closed:
                self._sender = await self._connect()
            await self._sender.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
        except (psycopg.Error, OSError) as exc:
            log.warning("could not announce a change to the other workstations: %s", exc)
            self._sender = None

    async def flush(self) -> None:
        """Wait until every change published so far has been sent."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def peers(self) -> list[str]:
        """The other processes connected to this library (`<host>-<pid>`), from the server."""
        import psycopg

        try:
            if self._sender is None or self._sender.closed:
                self._sender = await self._connect()
            cursor = await self._sender.execute(
                "SELECT DISTINCT application_name FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name LIKE %s",
                (APPLICATION_PREFIX + "%",),
            )
            rows = await cursor.fetchall()
        except (psycopg.Error, OSError):
            return []
        names = {str(row[0]).removeprefix(APPLICATION_PREFIX) for row in rows}
        return sorted(names - {self.client})

    async def close(self) -> None:
        await self.flush()
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._sender is not None:
            await self._sender.close()
