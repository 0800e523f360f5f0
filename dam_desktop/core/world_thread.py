"""Runs a world on its own asyncio loop in a worker thread.

The GUI thread's loop (qasync) must only paint and await. Everything the world does — SQL, ORM
row handling, systems — runs on this thread's loop; the GUI submits coroutines and awaits the
returned future with `asyncio.wrap_future`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")


class WorldThread:
    def __init__(self, name: str = "dam-world") -> None:
        # Not asyncio.new_event_loop(): the GUI installs qasync's loop policy, and this thread
        # needs a plain stdlib loop.
        self._loop = asyncio.DefaultEventLoopPolicy().new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._ready.set)
        self._loop.run_forever()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        """Schedule `coro` on the world loop; the returned future is safe to wait on anywhere."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await `coro` from another event loop (the GUI's) without blocking it."""
        return await asyncio.wrap_future(self.submit(coro))

    def stop(self, timeout: float = 10.0) -> None:
        """Cancel what is still running on the world loop, wait for it to unwind, then stop.

        Cancelling first matters: a task destroyed while pending leaves its awaiting side (a GUI
        future) to be cancelled later against a closed loop, which prints tracebacks at exit.
        """
        if not self._thread.is_alive():
            return
        drained = asyncio.run_coroutine_threadsafe(_cancel_other_tasks(), self._loop)
        # Stopping anyway: an error here is from something that was being cancelled.
        with contextlib.suppress(Exception):
            drained.result(timeout)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._loop.close()


STOP_GRACE_S = 0.3  # sessions still closing (their rollback shielded) finish within this


async def _cancel_other_tasks() -> None:
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    if tasks:
        # A session closing when its step was cancelled (World.session shields its close) finishes
        # first: cancelled mid-rollback, it would go back to the pool unusable, with a traceback.
        _done, pending = await asyncio.wait(tasks, timeout=STOP_GRACE_S)
        tasks = list(pending)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
