"""Runs the real app (offscreen) on a library whose images wait for embeddings, for
`test_model_worker`: `embed LIBRARY` waits until no image waits, then prints one JSON line with
what the window process imported, its model worker's pid, and whether that worker is gone after
the window closed. `kill LIBRARY` first kills the worker in the middle of its first request and
waits for the status bar to say so; `quit LIBRARY` closes the window while the worker holds
a request and prints how long quitting took."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import qasync
from PySide6.QtWidgets import QApplication

from dam_desktop.app import AppController, create_application
from dam_desktop.library_opening import begin_opening
from dam_desktop.services.search.sorting import SortKey


def waiting(library: Path) -> int:
    with sqlite3.connect(f"file:{library / 'dam.sqlite3'}?mode=ro", uri=True, timeout=30) as db:
        return int(db.execute("SELECT count(*) FROM component_marker_needs_embedding").fetchone()[0])


async def freeze_mid_request(worker: Any) -> int:
    """Freeze the worker as soon as it is spawned (it is still importing torch for its first
    request: seconds) and wait until that request is sent; its pid."""
    while worker.pid is None:
        await asyncio.sleep(0.005)
    pid: int = worker.pid
    os.kill(pid, signal.SIGSTOP)
    while not worker.busy:
        await asyncio.sleep(0.005)
    return pid


async def kill_mid_request(worker: Any, window: Any) -> str:
    """Kill the worker in the middle of its first request; the status bar's message."""
    os.kill(await freeze_mid_request(worker), signal.SIGKILL)
    while "model worker stopped" not in window.statusBar().currentMessage():
        await asyncio.sleep(0.01)
    message: str = window.statusBar().currentMessage()
    window.background_work.run_now()  # the failed files wait for the next pass
    return message


def embedded(library: Path) -> int:
    with sqlite3.connect(f"file:{library / 'dam.sqlite3'}?mode=ro", uri=True, timeout=30) as db:
        return int(db.execute("SELECT count(*) FROM component_image_embedding").fetchone()[0])


async def main(command: str, library: Path) -> dict[str, object]:
    from dam_desktop.core.model_manager import ModelExecutionManager

    controller = AppController()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    assert await controller.start(begin_opening(library, SortKey.ADDED, True))
    assert controller.client is not None and controller.window is not None
    worker: Any = controller.client.world.resources.get(ModelExecutionManager)._host
    status = ""
    if command == "kill":
        status = await kill_mid_request(worker, controller.window)
    if command == "quit":  # quit while the worker holds a request it cannot finish (frozen)
        await freeze_mid_request(worker)
    while command != "quit" and waiting(library) > 0:
        await asyncio.sleep(0.1)
    pid = getattr(worker, "pid", None)
    started = time.monotonic()
    controller.window.close()
    await controller.shutdown()
    quit_s = time.monotonic() - started
    return {
        "quit_s": quit_s,
        "torch": "torch" in sys.modules,
        "open_clip": "open_clip" in sys.modules,
        "sentence_transformers": "sentence_transformers" in sys.modules,
        "worker_pid": pid,
        "worker_gone": pid is not None and not Path(f"/proc/{pid}").exists(),
        "embedded": embedded(library),
        "status": status,
        "worker_starts": getattr(worker, "starts", 0),
    }


if __name__ == "__main__":
    create_application(["-platform", "offscreen"])
    print(json.dumps(qasync.run(main(sys.argv[1], Path(sys.argv[2])))), flush=True)
