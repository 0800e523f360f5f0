"""World: one library's database, resources and scheduler."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from dam_desktop.core.change_feed import ChangeFeed, application_name
from dam_desktop.core.database import (
    create_library_engine,
    create_read_only_library_engine,
    create_session_maker,
)
from dam_desktop.core.database_health import (
    OPEN_CHECK_GATE_S,
    CheckResult,
    DamageGuard,
    lower_this_threads_priority,
    quick_check,
)
from dam_desktop.core.errors import LibraryError
from dam_desktop.core.events import BaseEvent, WorldChanged
from dam_desktop.core.library import LibraryPaths, prepare_library_folder
from dam_desktop.core.library_database import PreparedDatabase, prepare_database
from dam_desktop.core.library_location import is_server_url
from dam_desktop.core.library_lock import LibraryLock
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.read_cache import CACHE_KEY, CHECKED_KEY, READS_ONLY_KEY
from dam_desktop.core.read_pool import ReadPool, ServerReads
from dam_desktop.core.read_sessions import read_connection, read_engine
from dam_desktop.core.registered_systems import RegisteredSystem, SystemFunc
from dam_desktop.core.resources import ResourceManager
from dam_desktop.core.scheduler import WorldScheduler
from dam_desktop.core.schema_version import is_up_to_date
from dam_desktop.core.server_database import create_server_engine
from dam_desktop.core.server_password import with_saved_password
from dam_desktop.core.shared_library import prepare_shared_library
from dam_desktop.core.stage_reports import StageReport
from dam_desktop.core.stages import SystemStage

log = logging.getLogger(__name__)


def _prepare_library(paths: LibraryPaths) -> tuple[int, PreparedDatabase]:
    """The folder, then the database, in one trip to a worker thread."""
    return prepare_library_folder(paths), prepare_database(paths.db_path)


@dataclass(frozen=True)
class WorldConfig:
    """Settings of one world; available to systems through `WorldContext.world_config`."""

    paths: LibraryPaths
    # A shared library's PostgreSQL URL; None for a library folder (SQLite).
    database_url: str | None = None


@functools.cache
def _open_check_pool() -> concurrent.futures.ThreadPoolExecutor:
    # Threads (not one) so that a check waiting for its window's paint never holds up another
    # world's; a thread is made only when none is idle.
    return concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="dam-open-check")


class World:
    """Open with `await World.open(path)`; close with `await world.close()` (or `async with`)."""

    def __init__(
        self,
        config: WorldConfig,
        engine: AsyncEngine,
        lock: LibraryLock | None,
    ) -> None:
        self.config = config
        self.name = config.paths.name
        self.engine = engine
        # What reads may remember between searches (`core.read_sessions`), emptied on each change.
        self.read_cache: dict[str, Any] = {}
        # What read sessions assume and check with the server as they use it (never emptied).
        self.checked_cache: dict[str, Any] = {}
        self._session_maker: async_sessionmaker[AsyncSession] = create_session_maker(
            engine, info={CACHE_KEY: self.read_cache}
        )
        self._read_engine = read_engine(engine)
        self._read_session_maker = create_session_maker(
            self._read_engine,
            info={CACHE_KEY: self.read_cache, READS_ONLY_KEY: True, CHECKED_KEY: self.checked_cache},
        )
        self._lock = lock
        self.resources = ResourceManager()
        self.resources.add(config)
        self.resources.add(config.paths)
        self.scheduler = WorldScheduler(self)
        self.orphan_temp_files_removed = 0
        self.open_check: CheckResult | None = None  # the quick check run on open (None: new library)
        self._open_check_done: concurrent.futures.Future[None] | None = None
        self._check_gate: threading.Event | None = None
        self._closing = False
        # Read-only from the first sign of a damaged database on (see core.database_health).
        self.damage = DamageGuard(config.paths.db_path)
        self.damage.attach(engine.sync_engine)
        self._change_listeners: list[Callable[[WorldChanged], None]] = []
        self.read_only = False
        self._reads: ReadPool | ServerReads | None = None
        self._feed: ChangeFeed | None = None  # a shared library's live changes (LISTEN/NOTIFY)

    @property
    def paths(self) -> LibraryPaths:
        return self.config.paths

    @property
    def is_shared(self) -> bool:
        """A studio's shared library (PostgreSQL), not a folder on this workstation."""
        return self.config.database_url is not None

    @classmethod
    async def open(
        cls,
        library_path: Path | str,
        *,
        create: bool = True,
        lock: LibraryLock | None = None,
        check_gate: threading.Event | None = None,
    ) -> World:
        """Open (and lock) a library folder, creating it or upgrading its schema as needed.

        `lock` is the library's lock when the caller already holds it (the app takes it before
        anything else, so a second window never starts); the world then owns and releases it.
        Raises LibraryLockedError when another process has it open, LibraryError when the folder
        is not a library and `create` is False, or the database cannot be upgraded. A damaged but
        current database opens read-only (`world.damage`).

        `check_gate`: the open-time check of a current database waits until it is set (at most
        OPEN_CHECK_GATE_S), so a window that is about to paint its grid gets the CPU first; writes
        wait for the check's verdict meanwhile, reads do not.
        """
        if isinstance(library_path, str) and is_server_url(library_path):
            return await cls.open_shared(library_path)
        paths = LibraryPaths(Path(library_path).expanduser().resolve())
        if not create and not paths.is_library():
            raise LibraryError(f"{paths.root} is not a dam-desktop library (no {paths.db_path.name})")
        paths.root.mkdir(parents=True, exist_ok=True)
        if lock is None:
            lock = LibraryLock(paths.lock_path)
        if not lock.held:
            lock.acquire()
        try:
            removed, prepared = await asyncio.to_thread(_prepare_library, paths)
            world = cls(WorldConfig(paths=paths), create_library_engine(paths.db_path), lock)
        except BaseException:
            lock.release()
            raise
        world.orphan_temp_files_removed = removed
        world.open_check = prepared.check
        if prepared.check_owed:
            world._start_open_check(check_gate)
        return world

    @classmethod
    async def open_shared(cls, url: str, store_root: Path | None = None) -> World:
        """Open a studio's shared library: its PostgreSQL database and its store folder.

        No lock: the server serialises writers, and many workstations write at once. The schema is
        created or upgraded here (once, whoever comes first). `store_root` is where this
        workstation mounts the store, when not where the database records it. A URL without a
        password takes the one saved in the system keyring, if any (`core.server_password`).
        Raises LibraryError with a plain message when the server cannot be reached."""
        url = await asyncio.to_thread(with_saved_password, url)  # the keyring may ask D-Bus
        shared = await asyncio.to_thread(prepare_shared_library, url, store_root)
        config = WorldConfig(paths=shared.paths, database_url=url)
        world = cls(config, create_server_engine(url, application_name(shared.paths.client)), None)
        world.name = shared.name
        world._feed = ChangeFeed(url, shared.paths.client, world._tell_listeners)
        try:
            await world._feed.start()
        except BaseException:
            await world.close()
            raise
        return world

    def _start_open_check(self, gate: threading.Event | None) -> None:
        """Run the open-time check on a thread of its own pool, at once: a write that comes
        meanwhile blocks this loop until the verdict (DamageGuard), so the check must not wait on
        the loop or on a pool other work fills. It waits for `gate` (a first paint), if given, or a
        while. The pool's threads outlive the world: starting a thread costs the open 10-15 ms on a
        busy machine (Thread.start waits until the new thread runs), a library switch nothing."""
        self.damage.begin_check()
        done: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._check_gate = gate

        def run() -> None:
            result: CheckResult | None = None
            try:
                if gate is not None:
                    gate.wait(OPEN_CHECK_GATE_S)
                    if self._closing:  # closed before the window painted: nothing was written
                        return
                lower_this_threads_priority()
                result = quick_check(self.paths.db_path)
                self.open_check = result
            except Exception:
                log.exception("the open-time check of %s failed", self.paths.db_path)
            finally:
                self.damage.end_check(result)
                done.set_result(None)

        _open_check_pool().submit(run)
        self._open_check_done = done

    async def wait_open_check(self) -> CheckResult | None:
        """The open-time check of the database, once it has finished (None for a new library)."""
        if self._open_check_done is not None:
            await asyncio.wrap_future(self._open_check_done)
        return self.open_check

    @classmethod
    async def open_read_only(cls, library_path: Path | str) -> World:
        """Open an existing, up-to-date library for reading, without its lock.

        The window (or a writing command) may hold the lock meanwhile: SQLite's WAL lets readers
        see the last commit without waiting. Nothing is created, upgraded or cleaned up, and the
        connections refuse writes. Raises LibraryError when the folder is not a library or its
        schema needs an upgrade (which only a writer may do). A shared library has no lock to
        read beside, and opens as it always does.
        """
        if isinstance(library_path, str) and is_server_url(library_path):
            return await cls.open_shared(library_path)
        paths = LibraryPaths(Path(library_path).expanduser().resolve())
        if not paths.is_library():
            raise LibraryError(f"{paths.root} is not a dam-desktop library (no {paths.db_path.name})")
        if not await asyncio.to_thread(is_up_to_date, paths.db_path):
            raise LibraryError(
                f"the library at {paths.root} needs a schema upgrade before it can be read; "
                "open it in the window or with a command that writes (e.g. import) first"
            )
        world = cls(WorldConfig(paths=paths), create_read_only_library_engine(paths.db_path), None)
        world.read_only = True
        return world

    @property
    def reads(self) -> ReadPool | ServerReads:
        """Plain sqlite3 read connections beside the session (the grid's pages and counts); on a
        shared library, reads on the server through the world's engine."""
        if self._reads is None:
            shared = self.is_shared
            self._reads = ServerReads(self._read_engine) if shared else ReadPool(self.paths.db_path)
        return self._reads

    @property
    def dialect(self) -> str:
        """The database's SQL dialect: "sqlite" (a library folder) or "postgresql" (shared)."""
        return str(self.engine.dialect.name)

    async def close(self) -> None:
        if self._reads is not None:
            await asyncio.to_thread(self._reads.close)
            self._reads = None
        # The check's thread cannot be interrupted, but it stops itself within the check's budget.
        if self._check_gate is not None:
            self._closing = True
            self._check_gate.set()  # a check still waiting for a paint is dropped
        await self.wait_open_check()
        await self.scheduler.close()
        if self.resources.has(ModelExecutionManager):
            self.resources.get(ModelExecutionManager).close()  # its worker process, if any
        if self._feed is not None:
            await self._feed.close()
            self._feed = None
        await self.engine.dispose()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    async def __aenter__(self) -> World:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction the caller commits; rolled back if it is left uncommitted.

        Closing is shielded from cancellation (a stage stopped at quit, a superseded read): cut off,
        the rollback would leave the connection unusable in the pool ("Exception during reset")."""
        session = self._session_maker()
        try:
            yield session
        finally:
            await asyncio.shield(session.close())

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only (`core.read_sessions`): on a shared library no transaction of
        its own, so no `BEGIN` and `ROLLBACK` round trips; on a library folder, `session()`."""
        if not self.is_shared:
            session = self._read_session_maker()
            try:
                yield session
            finally:
                await asyncio.shield(session.close())
            return
        # On the server the session's connection comes from `read_connection`, which gives it back
        # whenever a cancel lands (the session's own checkout could drop it: see there).
        async with read_connection(self._read_engine) as connection:
            session = self._read_session_maker(bind=connection)
            try:
                yield session
            finally:
                await asyncio.shield(session.close())

    def add_change_listener(self, listener: Callable[[WorldChanged], None]) -> Callable[[], None]:
        """Call `listener` (on the world thread) after each committed change; returns its remover."""
        self._change_listeners.append(listener)
        return lambda: self._change_listeners.remove(listener) if listener in self._change_listeners else None

    def notify_changed(self, change: WorldChanged) -> None:
        """Tell every listener what a committed transaction changed. Use cases and the scheduler call
        this after their commit, never before: a listener may read the change at once. On a shared
        library the other workstations are told too (`core.change_feed`)."""
        self._tell_listeners(change)
        if self._feed is not None:
            self._feed.publish(change)

    async def peers(self) -> list[str]:
        """The other processes that have this shared library open (`<host>-<pid>`); [] for a folder."""
        return await self._feed.peers() if self._feed is not None else []

    def on_server_connection(self, listener: Callable[[bool], None]) -> None:
        """Call `listener(connected)` (on the world thread) when a shared library's server is lost
        or back. A folder library never calls it."""
        if self._feed is not None:
            self._feed.on_connection(listener)

    async def flush_changes(self) -> None:
        """Wait until the changes told so far have reached the server (tests, closing)."""
        if self._feed is not None:
            await self._feed.flush()

    def _tell_listeners(self, change: WorldChanged) -> None:
        self.read_cache.clear()
        for listener in list(self._change_listeners):
            try:
                listener(change)
            except Exception:
                log.exception("a change listener failed")

    def register_system(self, func: SystemFunc) -> RegisteredSystem:
        return self.scheduler.register(func)

    async def execute_stage(self, stage: SystemStage) -> StageReport:
        return await self.scheduler.execute_stage(stage)

    async def run_all_stages(self, stages: list[SystemStage] | None = None) -> list[StageReport]:
        return await self.scheduler.run_all_stages(stages)

    async def dispatch_event(self, event: BaseEvent) -> list[Any]:
        return await self.scheduler.dispatch_event(event)
