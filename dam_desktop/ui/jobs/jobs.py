"""Background jobs the window shows: imports now, other long jobs later.

An import runs on the world thread; its progress callback is called there too, so it only emits
signals, which Qt queues to the GUI thread. `JobList` is what the status bar's indicator watches.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from dam_desktop.ui.world_client import WorldClient

if TYPE_CHECKING:
    from dam_desktop.use_cases.imports import ImportMode, ImportProgress, ImportReport


class Job(QObject):
    changed = Signal()
    finished = Signal()

    def __init__(self, title: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.done = 0
        self.total = 0
        self.detail = ""
        self.running = False

    @property
    def summary(self) -> str:
        if self.total:
            return f"{self.title} {self.done:,} of {self.total:,}"
        return f"{self.title}…"

    def cancel(self) -> None:
        raise NotImplementedError

    def show_progress(self, done: int, total: int, detail: str = "") -> None:
        """How far the job got (connected to a subclass's `progressed`, which the world thread
        emits and Qt delivers here on the GUI thread)."""
        self.done, self.total, self.detail = done, total, detail
        self.changed.emit()


class ImportJob(Job):
    """Imports files and folders; `assets_ready` carries entity ids as soon as each is finished."""

    progressed = Signal(int, int, str)
    assets_ready = Signal(list)
    completed = Signal(object)  # the ImportReport
    crashed = Signal(str)

    def __init__(
        self,
        client: WorldClient,
        paths: Sequence[Path],
        mode: ImportMode = "copy",
        parent: QObject | None = None,
        *,
        any_file: bool = False,
    ) -> None:
        super().__init__("Importing", parent)
        from dam_desktop.use_cases.imports import CancelToken

        self.client = client
        self.paths = [Path(p) for p in paths]
        self.mode = mode
        self.any_file = any_file  # files no decoder knows become generic assets (Preferences)
        self.token = CancelToken()
        self.report: ImportReport | None = None
        self.task: asyncio.Task[None] | None = None
        self.progressed.connect(self.show_progress)

    def start(self) -> asyncio.Task[None]:
        self.running = True
        self.task = asyncio.get_running_loop().create_task(self._run())
        return self.task

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def cancelling(self) -> bool:
        return bool(self.token.cancelled) and self.running

    def _progress_from_world_thread(self, progress: ImportProgress) -> None:
        self.progressed.emit(progress.done, progress.total, str(progress.current_path))
        if progress.new_entity_ids:
            self.assets_ready.emit(list(progress.new_entity_ids))

    async def _run(self) -> None:
        from dam_desktop.use_cases.imports import import_files

        paths, mode, token, on_progress = self.paths, self.mode, self.token, self._progress_from_world_thread
        any_file = self.any_file

        async def work(world: Any) -> ImportReport:
            return await import_files(
                world, paths, mode=mode, any_file=any_file, on_progress=on_progress, cancel=token
            )

        try:
            self.report = await self.client.call(work)
        except Exception as exc:
            self.running = False
            self.crashed.emit(f"{type(exc).__name__}: {exc}")
            self.finished.emit()
            return
        self.running = False
        self.done = self.report.total_files if not self.report.cancelled else self.done
        self.completed.emit(self.report)
        self.changed.emit()
        self.finished.emit()


class JobList(QObject):
    """The jobs running now; the status bar indicator shows them."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs: list[Job] = []

    def add(self, job: Job) -> None:
        self.jobs.append(job)
        job.changed.connect(self.changed)
        job.finished.connect(lambda: self._remove(job))
        self.changed.emit()

    def _remove(self, job: Job) -> None:
        if job in self.jobs:
            self.jobs.remove(job)
        self.changed.emit()

    @property
    def busy(self) -> bool:
        return bool(self.jobs)

    def summary(self) -> str:
        return " · ".join(job.summary for job in self.jobs)
