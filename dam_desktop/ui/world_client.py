"""The GUI's handle on the world: it submits coroutines to the world thread and awaits them.

Nothing here blocks: `call` returns an awaitable the qasync loop can wait on while it keeps
painting. Widgets never touch a session or the World directly.

A client exists before its world does. The window is built around a client whose world is still
opening (`WorldClient(path)` then `begin_open()`): loading SQLAlchemy and opening the library takes
about a second, and the window paints its first grid from the start-up read meanwhile. Calls made
before the world is open wait for it.

`client.changes.changed` is a Qt signal, emitted on the GUI thread with each `WorldChanged` the
world reports after a commit (a use case, a background stage): widgets refresh from it instead of
from calls wired by hand after each action. The world tells its listeners on the world thread; the
relay crosses to the GUI thread through a queued connection, the one thing that may cross.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

from dam_desktop.core.events import WorldChanged
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.library_location import database_name, is_server_url
from dam_desktop.core.world_thread import WorldThread

if TYPE_CHECKING:
    from dam_desktop.core.library_lock import LibraryLock
    from dam_desktop.core.world import World

T = TypeVar("T")


class ChangeRelay(QObject):
    """Carries the world's change events from the world thread to the GUI thread."""

    changed = Signal(object)  # a WorldChanged, on the GUI thread
    _arrived = Signal(object)  # emitted on the world thread

    def __init__(self) -> None:
        super().__init__()
        self._arrived.connect(self.changed.emit, Qt.ConnectionType.QueuedConnection)

    def tell(self, change: WorldChanged) -> None:
        """The world's listener (world thread): queue the change for the GUI thread."""
        self._arrived.emit(change)


class WorldClient:
    def __init__(
        self, library: Path | str, *, store_root: Path | None = None, check_after_paint: bool = False
    ) -> None:
        """`library`: a folder, or a shared library's PostgreSQL URL (whose store this computer
        mounts at `store_root`, None: where the library records it). `check_after_paint`: the
        library's open-time check waits for `painted()` (a window's first paint, World.open)."""
        self.target: Path | str
        if isinstance(library, str) and is_server_url(library):
            self.target = library
            # Until the world is open, the shared library goes by its database's name.
            self._paths = LibraryPaths(Path(database_name(library)))
        else:
            self.target = Path(library).expanduser().resolve()
            self._paths = LibraryPaths(self.target)
        self.store_root = store_root
        self._paint_gate = threading.Event() if check_after_paint else None
        self._thread: WorldThread | None = None
        self._opened: Future[World] | None = None
        self.changes = ChangeRelay()
        self.closed = False

    @property
    def paths(self) -> LibraryPaths:
        """The library's folders (a shared library's store once its world is open)."""
        return self.world.paths if self.is_open else self._paths

    @property
    def is_shared(self) -> bool:
        return isinstance(self.target, str)

    def painted(self) -> None:
        """The window has painted its grid: the open-time check may take the CPU now."""
        if self._paint_gate is not None:
            self._paint_gate.set()

    @classmethod
    async def open(
        cls, library: Path | str, *, store_root: Path | None = None, check_after_paint: bool = False
    ) -> WorldClient:
        """A client whose world is open (raises what `World.open` raises)."""
        client = cls(library, store_root=store_root, check_after_paint=check_after_paint)
        client.begin_open()
        await client.wait_open()
        return client

    def begin_open(self, lock: LibraryLock | None = None) -> None:
        """Start opening the world on its own thread; `lock` is the library's, if already held."""
        if self._opened is not None:
            return
        self._thread = WorldThread()
        self._opened = self._thread.submit(
            _open_world(self.target, lock, self.changes.tell, self.store_root, self._paint_gate)
        )

    async def wait_open(self) -> World:
        """The open world; raises what opening it raised (and then stops its thread).

        A waiter that is cancelled (a closing widget's task) does not cancel the opening: other
        callers still need the world.
        """
        if self._opened is None:
            self.begin_open()
        assert self._opened is not None and self._thread is not None
        if self.is_open:
            return self._opened.result()
        try:
            return await asyncio.shield(asyncio.wrap_future(self._opened))
        except Exception:
            self._thread.stop()
            raise

    @property
    def is_open(self) -> bool:
        opened = self._opened
        return opened is not None and opened.done() and opened.exception() is None

    @property
    def world(self) -> World:
        """The world, once open (`wait_open` first when unsure)."""
        if self._opened is None or not self.is_open:
            raise RuntimeError(f"the library {self._paths.root} is not open yet")
        return self._opened.result()

    @property
    def library_path(self) -> Path:
        """The library folder; for a shared library, a path named after its database until open."""
        return self._paths.root

    async def call(self, action: Callable[[World], Awaitable[T]]) -> T:
        """Run `action(world)` on the world thread and await its result from the GUI loop."""
        if self.closed:
            # A widget's step after the library closed (a change event's reload at quit): moot.
            raise asyncio.CancelledError
        world = await self.wait_open()
        assert self._thread is not None

        async def run() -> T:
            return await action(world)

        return await self._thread.run(run())

    async def close(self) -> None:
        if self._opened is None or self._thread is None:
            return
        self.closed = True  # from now on a widget's call is cancelled, not sent to a closing world
        if self.is_open:
            await self._thread.run(self.world.close())
        elif not self._opened.done():
            # Still opening: let it finish, then close what it opened.
            try:
                world = await asyncio.wrap_future(self._opened)
            except Exception:
                world = None
            if world is not None:
                await self._thread.run(world.close())
        self._thread.stop()


async def _open_world(
    target: Path | str,
    lock: LibraryLock | None,
    listener: Callable[[WorldChanged], None],
    store_root: Path | None,
    check_gate: threading.Event | None,
) -> World:
    # Imported here, on the world thread: loading SQLAlchemy, the models and the systems takes
    # most of a second, and on the GUI thread it would freeze the window that just painted.
    from dam_desktop.world_setup import model_worker_wanted, open_world

    world = await open_world(
        target, lock=lock, store_root=store_root, check_gate=check_gate, model_worker=model_worker_wanted()
    )
    world.add_change_listener(listener)
    return world
