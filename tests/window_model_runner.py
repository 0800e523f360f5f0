"""Runs the real app (offscreen) on a library whose images wait for embeddings, for
`test_window_model_worker`: `embed LIBRARY` waits until no image waits, then prints one JSON line
with what the window process imported, its model worker's pid, and whether that worker is gone
after the window closed."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication

from dam_desktop.app import AppController, create_application
from dam_desktop.library_opening import begin_opening
from dam_desktop.services.search.sorting import SortKey


def waiting(library: Path) -> int:
    with sqlite3.connect(f"file:{library / 'dam.sqlite3'}?mode=ro", uri=True, timeout=30) as db:
        return int(db.execute("SELECT count(*) FROM component_marker_needs_embedding").fetchone()[0])


def embedded(library: Path) -> int:
    with sqlite3.connect(f"file:{library / 'dam.sqlite3'}?mode=ro", uri=True, timeout=30) as db:
        return int(db.execute("SELECT count(*) FROM component_image_embedding").fetchone()[0])


async def main(library: Path) -> dict[str, object]:
    from dam_desktop.core.model_manager import ModelExecutionManager

    controller = AppController()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    assert await controller.start(begin_opening(library, SortKey.ADDED, True))
    while waiting(library) > 0:
        await asyncio.sleep(0.1)
    assert controller.client is not None
    worker = controller.client.world.resources.get(ModelExecutionManager)._host
    pid = getattr(worker, "pid", None)
    status = controller.window.statusBar().currentMessage() if controller.window else ""
    assert controller.window is not None
    controller.window.close()
    await controller.shutdown()
    return {
        "torch": "torch" in sys.modules,
        "open_clip": "open_clip" in sys.modules,
        "sentence_transformers": "sentence_transformers" in sys.modules,
        "worker_pid": pid,
        "worker_gone": pid is not None and not Path(f"/proc/{pid}").exists(),
        "embedded": embedded(library),
        "status": status,
    }


if __name__ == "__main__":
    create_application(["-platform", "offscreen"])
    print(json.dumps(qasync.run(main(Path(sys.argv[2])))), flush=True)
