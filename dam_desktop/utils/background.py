"""One call on a thread of its own, its result or error handed back through a Future.

For the few start-up reads that must overlap work the GUI thread is doing before any event loop
or pool exists (the first grid's listing beside Qt's imports, its counts beside the listing).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")


def in_thread(name: str, func: Callable[..., T], *args: Any) -> Future[T]:
    """Start `func(*args)` on a new daemon thread; the future gets what it returns or raises."""
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(func(*args))
        except BaseException as exc:  # handed to whoever waits on the future
            future.set_exception(exc)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future
