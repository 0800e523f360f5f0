"""The model thread runs jobs one at a time, off the caller's loop, and hands back results and errors."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading

import pytest

from dam_desktop.ml.model_thread import ModelThread, get_model_thread


async def test_jobs_run_in_order_on_one_thread_and_results_come_back() -> None:
    thread = ModelThread(name="test-model")
    try:
        names: list[str] = []

        def job(i: int) -> int:
            names.append(threading.current_thread().name)
            return i * i

        results = await asyncio.gather(*(thread.run(job, i) for i in range(5)))

        assert results == [0, 1, 4, 9, 16]
        assert len(set(names)) == 1
        assert names[0] != threading.current_thread().name
    finally:
        thread.shutdown()


async def test_an_error_in_a_job_reaches_the_awaiting_caller() -> None:
    thread = ModelThread(name="test-model")
    try:

        def broken() -> None:
            raise ValueError("weights are corrupt")

        with pytest.raises(ValueError, match="weights are corrupt"):
            await thread.run(broken)
        assert await thread.run(lambda: "still working") == "still working"
    finally:
        thread.shutdown()


async def test_the_loop_keeps_running_while_a_job_runs() -> None:
    thread = ModelThread(name="test-model")
    try:
        release = threading.Event()
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while not release.is_set():
                ticks += 1
                if ticks >= 20:
                    release.set()
                await asyncio.sleep(0)

        job = asyncio.create_task(thread.run(lambda: release.wait(timeout=30)))
        await ticker()

        assert await job is True
        assert ticks >= 20
    finally:
        thread.shutdown()


async def test_a_shut_down_thread_refuses_new_jobs() -> None:
    thread = ModelThread(name="test-model")
    thread.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        await thread.run(lambda: 1)


def test_the_shared_model_thread_is_one_object() -> None:
    assert get_model_thread() is get_model_thread()


def test_importing_the_app_and_the_model_plumbing_does_not_import_torch() -> None:
    code = (
        "import sys, dam_desktop, dam_desktop.world_setup, dam_desktop.core.model_manager, "
        "dam_desktop.ml.model_thread, dam_desktop.utils.model_utils; "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
