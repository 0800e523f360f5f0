"""The GUI's handle on the world: it submits coroutines to the world thread and awaits them.

Nothing here blocks: `call` returns an awaitable the qasync loop can wait on while it keeps
painting. Widgets never touch a session or the World directly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from dam_desktop.core.world import World
from dam_desktop.core.world_thread import WorldThread

T = TypeVar("T")


class WorldClient:
    def __init__(self, thread: WorldThread, world: World) -> None:
        self._thread = thread
        self.world = world

    @classmethod
    async def open(cls, library_path: Path) -> WorldClient:
        from dam_desktop.world_setup import open_world

        thread = WorldThread()
        try:
            world = await thread.run(open_world(library_path))
        except BaseException:
            thread.stop()
            raise
        return cls(thread, world)

    @property
    def library_path(self) -> Path:
        return self.world.paths.root

    async def call(self, action: Callable[[World], Awaitable[T]]) -> T:
        """Run `action(world)` on the world thread and await its result from the GUI loop."""

        async def run() -> T:
            return await action(self.world)

        return await self._thread.run(run())

    async def close(self) -> None:
        await self._thread.run(self.world.close())
        self._thread.stop()
