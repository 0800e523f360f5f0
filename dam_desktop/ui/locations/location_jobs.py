"""The check for missing files and the relink from a folder, as jobs the status bar shows.

Each runs on the world thread (`use_cases.locations`); their progress
callbacks run there too and only emit signals, which Qt queues to the GUI thread. The use cases are
imported on the world thread first (`_load_use_cases`), so the GUI thread never loads SQLAlchemy
for them; by the time the GUI asks for a `CancelToken`, its module is already in memory.

Cancelling a job's task (the window does when it closes) cancels the job cooperatively: the
world side stops at its next batch, and the task ends only once it has, so the world never closes
under a running check.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from dam_desktop.ui.jobs.jobs import Job
from dam_desktop.ui.world_client import WorldClient

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.use_cases.locations import CancelToken, CheckProgress, LocationProblem, RelinkProgress

Spawn = Callable[[Coroutine[Any, Any, None]], "asyncio.Future[Any]"]


async def _load_use_cases(world: World) -> None:
    import dam_desktop.use_cases.locations  # noqa: F401


class LocationJob(Job):
    """What the check and the relink share: a world call with a cancel token and a result."""

    progressed = Signal(int, int, str)
    completed = Signal(object)  # the job's report
    crashed = Signal(str)

    def __init__(self, title: str, client: WorldClient, parent: QObject | None = None) -> None:
        super().__init__(title, parent)
        self.client = client
        self.token: CancelToken | None = None
        self.report: Any = None
        self.task: asyncio.Future[Any] | None = None
        self._cancel_asked = False
        self.progressed.connect(self.show_progress)

    def start(self, spawn: Spawn) -> asyncio.Future[Any]:
        self.running = True
        self.task = spawn(self._run())
        return self.task

    def cancel(self) -> None:
        self._cancel_asked = True
        if self.token is not None:
            self.token.cancel()
        self.changed.emit()

    @property
    def cancelling(self) -> bool:
        return self._cancel_asked and self.running

    async def work(self, world: World, token: CancelToken) -> Any:
        raise NotImplementedError

    async def _run(self) -> None:
        try:
            await self.client.call(_load_use_cases)
            from dam_desktop.use_cases.locations import CancelToken

            token = self.token = CancelToken()
            if self._cancel_asked:
                token.cancel()
            call = asyncio.ensure_future(self.client.call(lambda world: self.work(world, token)))
            try:
                self.report = await asyncio.shield(call)
            except asyncio.CancelledError:
                token.cancel()
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await call
                raise
        except asyncio.CancelledError:
            self._end()
            raise
        except Exception as exc:
            self._end()
            self.crashed.emit(f"{type(exc).__name__}: {exc}")
            return
        self._end()
        self.completed.emit(self.report)

    def _end(self) -> None:
        self.running = False
        self.changed.emit()
        self.finished.emit()


class CheckJob(LocationJob):
    """Looks at every file the library expects; `completed` carries the CheckReport."""

    def __init__(
        self,
        client: WorldClient,
        parent: QObject | None = None,
        *,
        scheduled: bool = False,
        verify: bool = False,
    ) -> None:
        title = "Verifying the files' contents" if verify else "Checking for missing files"
        super().__init__(title, client, parent)
        self.scheduled = scheduled
        self.verify = verify

    @property
    def summary(self) -> str:
        state = "Stopping the check for missing files" if self.cancelling else self.title
        if self.total:
            return f"{state}: {self.done:,} of {self.total:,} assets"
        return f"{state}…"

    async def work(self, world: World, token: CancelToken) -> Any:
        from dam_desktop.use_cases.locations import check_files

        def progress(update: CheckProgress) -> None:
            self.progressed.emit(update.done, update.total, update.current_path)

        return await check_files(world, verify=self.verify, on_progress=progress, cancel=token)


class RelinkJob(LocationJob):
    """Looks for missing referenced files in a folder; `completed` carries the RelinkReport."""

    def __init__(
        self,
        client: WorldClient,
        folder: Path,
        problems: Sequence[LocationProblem],
        parent: QObject | None = None,
    ) -> None:
        super().__init__("Relinking", client, parent)
        self.folder = folder
        self.problems = list(problems)
        self.looking = True

    @property
    def summary(self) -> str:
        if self.cancelling:
            return "Stopping the relink…"
        if self.looking:
            return (
                f"Looking for moved files: {self.done:,} files seen"
                if self.done
                else "Looking for moved files…"
            )
        return f"Comparing files {self.done:,} of {self.total:,}"

    async def work(self, world: World, token: CancelToken) -> Any:
        from dam_desktop.use_cases.locations import PHASE_LOOKING, relink_from_folder

        def progress(update: RelinkProgress) -> None:
            # The walk has no total yet: 0 keeps the status bar's bar busy instead of full.
            total = 0 if update.phase == PHASE_LOOKING else update.total
            self.progressed.emit(update.done, total, update.current_path)

        return await relink_from_folder(world, self.folder, self.problems, on_progress=progress, cancel=token)

    def show_progress(self, done: int, total: int, detail: str = "") -> None:
        self.looking = total == 0
        super().show_progress(done, total, detail)
