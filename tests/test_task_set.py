"""A widget's task set, once closed (the window shutting down), refuses new work without leaving
a coroutine behind that Python reports at exit as never awaited."""

from __future__ import annotations

import asyncio
import gc
import warnings

from dam_desktop.ui.tasks import TaskSet


def test_work_refused_after_close_never_runs_and_is_not_reported_never_awaited() -> None:
    loop = asyncio.new_event_loop()
    ran: list[str] = []

    async def refresh() -> None:
        ran.append("refresh")

    try:
        asyncio.set_event_loop(loop)
        tasks = TaskSet()
        loop.run_until_complete(tasks.close())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            refused = tasks.spawn(refresh())  # a change event arriving as the window shuts down
            loop.close()  # the app quits before the task's first step
            del tasks
            gc.collect()
    finally:
        asyncio.set_event_loop(None)
    assert ran == []
    assert refused.cancelled()  # whoever waits on it sees the work cancelled, as before
    assert not [w for w in caught if "never awaited" in str(w.message)], [str(w.message) for w in caught]
