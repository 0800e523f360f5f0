"""Runs the real app (offscreen) on a library for `test_quit_while_importing`.

`quit LIBRARY FOLDER`: import FOLDER, close the window as soon as 3 files are in, and print
`quit-s <seconds from close to the end of shutdown> done-at-close <n> threads <left>`.
`resume LIBRARY`: open the library and print `resumed <n>` once the import it resumes has ended
(`resumed none` when there was none to resume).
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication

from dam_desktop.app import AppController, create_application
from dam_desktop.library_opening import begin_opening
from dam_desktop.services.search.sorting import SortKey


async def main(command: str, library: Path, folder: Path | None) -> None:
    controller = AppController()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    assert await controller.start(begin_opening(library, SortKey.ADDED, True))
    window = controller.window
    assert window is not None
    if command == "quit":
        assert folder is not None
        job = window.start_import([folder])
        assert job is not None
        while job.done < 3:
            await asyncio.sleep(0.005)
        done_at_close = job.done
        started = time.monotonic()
        window.close()
        await controller.shutdown()
        quit_s = time.monotonic() - started
        left = [t.name for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
        print(
            f"quit-s {quit_s:.3f} done-at-close {done_at_close} threads {','.join(left) or '-'}", flush=True
        )
        return
    job = window.import_job
    if job is None:
        print("resumed none", flush=True)
    else:
        while window.import_job is not None:
            await asyncio.sleep(0.02)
        report = job.report
        print(f"resumed {len(report.imported) if report else -1}", flush=True)
    window.close()
    await controller.shutdown()


if __name__ == "__main__":
    create_application(["-platform", "offscreen"])
    qasync.run(main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) > 3 else None))
