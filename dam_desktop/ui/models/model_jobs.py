"""Model work for the dialog, off the GUI thread: status reads, downloads, imports, removals.

Each job runs on a worker thread (an import's check builds the model, so it runs in a child
process: torch never enters the window) and reports through this object's signals, which Qt
delivers on the GUI thread. Downloads can be cancelled; what they fetched stays for the next try.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from dam_desktop.core.errors import DamError
from dam_desktop.ml.catalogue import CatalogueEntry, catalogue
from dam_desktop.ml.hub_download import DownloadCancelledError
from dam_desktop.ml.model_store import ModelStatus, download_model, import_model, model_status, remove_model

# A progress signal per 1/200 of the file: smooth bar, and a few hundred queued events per download.
PROGRESS_STEPS = 200


def _emit(signal: Any, *args: object) -> None:
    """Report from a worker; a dialog closed meanwhile has nobody left to tell."""
    try:
        signal.emit(*args)
    except RuntimeError:
        return


class ModelJobs(QObject):
    statuses_read = Signal(object)  # list[ModelStatus]
    progress = Signal(str, object, object)  # entry name, bytes done, bytes in all (or None)
    finished = Signal(str, str)  # entry name, what happened, for people
    failed = Signal(str, str)  # entry name, why, one sentence
    cancelled = Signal(str, str)  # entry name, what was kept

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancels: dict[str, threading.Event] = {}

    def _start(self, name: str, work: Callable[[], None]) -> None:
        threading.Thread(target=work, name=f"models-{name}", daemon=True).start()

    def _guarded(self, name: str, work: Callable[[], str]) -> Callable[[], None]:
        def run() -> None:
            try:
                message = work()
            except DownloadCancelledError as exc:
                _emit(self.cancelled, name, str(exc))
            except (DamError, OSError) as exc:
                _emit(self.failed, name, str(exc))
            else:
                _emit(self.finished, name, message)

        return run

    def read_statuses(self) -> None:
        def work() -> None:
            statuses: list[ModelStatus] = [model_status(entry) for entry in catalogue()]
            _emit(self.statuses_read, statuses)

        self._start("status", work)

    def is_downloading(self, name: str) -> bool:
        return name in self._cancels

    def download(self, entry: CatalogueEntry) -> None:
        cancel = threading.Event()
        self._cancels[entry.name] = cancel
        last_step = [-1]

        def report(done: int, total: int | None) -> None:
            step = done * PROGRESS_STEPS // total if total else -1
            if step != last_step[0] or total is None:
                last_step[0] = step
                _emit(self.progress, entry.name, done, total)

        def work() -> str:
            try:
                download_model(entry, progress=report, cancel=cancel)
            finally:
                self._cancels.pop(entry.name, None)
            return f"{entry.title} is ready."

        self._start(entry.name, self._guarded(entry.name, work))

    def cancel(self, name: str) -> None:
        event = self._cancels.get(name)
        if event is not None:
            event.set()

    def import_file(self, entry: CatalogueEntry, source: Path) -> None:
        from dam_desktop.ml.worker_client import run_in_child

        def work() -> str:
            run_in_child(import_model, entry, source)
            return f"Imported {source.name}: {entry.title} is ready."

        self._start(entry.name, self._guarded(entry.name, work))

    def remove(self, entry: CatalogueEntry) -> None:
        def work() -> str:
            freed = remove_model(entry)
            return f"Removed {entry.title} ({freed / 1e6:.1f} MB freed)."

        self._start(entry.name, self._guarded(entry.name, work))
