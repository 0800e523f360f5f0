"""Background tasks a widget starts on the GUI loop, and the answers they bring back.

asyncio holds only weak references to tasks, so a task nobody keeps can be collected mid-flight;
each widget keeps its own `TaskSet`. Given the widget, the set cancels its tasks when Qt destroys
it (the window closed, the section removed): an answer that comes back later would otherwise
touch deleted C++ objects. `Newest` is for a read the widget may ask again before the first
answer comes (a change event's refresh racing one for a new search): the world thread answers
them in any order, and only the newest request's answer may be shown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject

T = TypeVar("T")


class TaskSet:
    def __init__(self, owner: QObject | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self.closed = False  # the owner is destroyed: no task of its may go on
        if owner is not None:
            owner.destroyed.connect(self._owner_destroyed)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        """Run `coro` on the running loop and keep it until it is done. Once the set is closed the
        coroutine is closed unstarted and the answer is an already cancelled future: a task made
        for it would be cancelled before its first step, and a loop that stops before that step
        leaves the coroutine "never awaited" (a warning at every window's shutdown)."""
        loop = asyncio.get_event_loop()
        if self.closed:
            coro.close()
            refused: asyncio.Future[Any] = loop.create_future()
            refused.cancel()
            return refused
        task: asyncio.Task[Any] = loop.create_task(coro)
        self.add(task)
        return task

    def add(self, task: asyncio.Task[Any]) -> None:
        if self.closed:
            task.cancel()  # before its first step: the coroutine never runs
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def __iter__(self) -> Iterator[asyncio.Task[Any]]:
        return iter(list(self._tasks))

    def __len__(self) -> int:
        return len(self._tasks)

    async def cancel_all(self) -> None:
        """Cancel every task but the caller's own, and wait for them to end."""
        tasks = [task for task in self._tasks if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def close(self) -> None:
        """Refuse new tasks from now on (each is cancelled before its first step), then cancel
        the running ones and wait for them: what shuts a widget down before its world closes."""
        self.closed = True
        await self.cancel_all()

    def _owner_destroyed(self, *_args: object) -> None:
        self.closed = True
        for task in list(self._tasks):
            task.cancel()


class Newest(Generic[T]):
    """Shows the answer of the newest request only, and none once the widget's tasks are closed."""

    def __init__(self, tasks: TaskSet, show: Callable[[T], None]) -> None:
        self._tasks = tasks
        self._show = show
        self._asked = 0

    async def ask(self, request: Awaitable[T]) -> bool:
        """Await `request`; show its answer unless a newer request was made meanwhile or the widget
        is gone. True when it was shown."""
        self._asked += 1
        asked = self._asked
        answer = await request
        if asked != self._asked or self._tasks.closed:
            return False
        self._show(answer)
        return True
