"""Background work in the window: the marker pipeline drains on the world thread with no button,
its running stage shows in the status bar, and Library › Background Work pauses model work.

`install_background_work(window)` starts the world's `BackgroundWork` (use_cases/pipeline.py),
which runs every stage in priority order (thumbnails first, model work last) and wakes again after
each change that adds work. Progress crosses from the world thread as a queued Qt signal; each
stage with work shows as a job in the window's job list ("Making thumbnails 12 of 200"). Whether
model work is paused is kept in QSettings, so it stays paused across sessions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction

from dam_desktop.ui.jobs.jobs import Job
from dam_desktop.ui.tasks import TaskSet

if TYPE_CHECKING:
    from dam_desktop.core.stage_reports import StageProgress
    from dam_desktop.core.stages import SystemStage
    from dam_desktop.core.world import World
    from dam_desktop.ui.window.main_window import MainWindow

PAUSED_KEY = "background/model_work_paused"
FAILURE_MESSAGE_MS = 20_000


def model_work_paused(settings: QSettings) -> bool:
    return str(settings.value(PAUSED_KEY, "false")).lower() in ("true", "1")


class StageJob(Job):
    """One pipeline stage while it has work; cancelling stops it after its current batch (the
    next change that adds work starts it again)."""

    def __init__(self, controller: BackgroundWork, stage: SystemStage, label: str) -> None:
        super().__init__(label, controller)
        self.controller = controller
        self.stage = stage
        self.running = True

    def cancel(self) -> None:
        self.controller.cancel_stage(self.stage)


class BackgroundWork(QObject):
    """The window's side of the pipeline: the status bar's stage jobs and the menu."""

    progressed = Signal(object)  # StageProgress, emitted on the world thread, delivered queued
    stage_finished = Signal(int)  # a stage's pass ended (its SystemStage value): views may refresh

    def __init__(self, window: MainWindow, settings: QSettings) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.stage_jobs: dict[int, StageJob] = {}
        self.processed: dict[int, int] = {}  # entities each stage went through since the window opened
        self.note = ""
        self._failure_shown = ""
        self.tasks = TaskSet()
        self._alive = True
        self.progressed.connect(self._on_progress)
        self.destroyed.connect(self._forget)

        self.menu = window.library_menu.menu.addMenu("Background &Work")
        self.menu.setObjectName("backgroundWorkMenu")
        self.status_action = QAction("Idle: nothing waiting", self.menu)
        self.status_action.setEnabled(False)
        self.menu.addAction(self.status_action)
        self.menu.addSeparator()
        self.pause_action = QAction("&Pause Model Work (Embeddings, Tags)", self.menu)
        self.pause_action.setCheckable(True)
        self.pause_action.setChecked(model_work_paused(settings))
        self.pause_action.setToolTip(
            "Stop embedding and tagging with neural models (thumbnails and sound fingerprints go on)"
        )
        self.pause_action.toggled.connect(self.set_model_work_paused)
        self.menu.addAction(self.pause_action)
        self.run_action = QAction("&Run Now", self.menu)
        self.run_action.setToolTip("Process whatever is waiting now")
        self.run_action.triggered.connect(self.run_now)
        self.menu.addAction(self.run_action)

    @property
    def model_work_paused(self) -> bool:
        return self.pause_action.isChecked()

    def _forget(self) -> None:
        self._alive = False

    def _from_world_thread(self, progress: StageProgress) -> None:
        if self._alive:
            try:
                self.progressed.emit(progress)
            except RuntimeError:  # the window went away between the check and the emit
                self._alive = False

    def start(self) -> None:
        from dam_desktop.use_cases import pipeline

        paused, listener = self.model_work_paused, self._from_world_thread

        async def start(world: World) -> None:
            await pipeline.start_background_work(world, listener, model_work_paused=paused)

        self.tasks.spawn(self.window.client.call(start))

    def set_model_work_paused(self, paused: bool) -> None:
        from dam_desktop.use_cases import pipeline

        self.settings.setValue(PAUSED_KEY, paused)
        self.tasks.spawn(self.window.client.call(lambda world: pipeline.set_model_work_paused(world, paused)))
        self._show_status()

    def run_now(self) -> None:
        from dam_desktop.use_cases import pipeline

        self.tasks.spawn(self.window.client.call(pipeline.wake_background_work))

    def cancel_stage(self, stage: SystemStage) -> None:
        from dam_desktop.use_cases import pipeline

        self.tasks.spawn(self.window.client.call(lambda world: pipeline.cancel_stages(world, [stage])))

    def _on_progress(self, progress: StageProgress) -> None:
        job = self.stage_jobs.get(int(progress.stage))
        if progress.note:
            self.note = progress.note
        if progress.failure and progress.failure != self._failure_shown:
            self._failure_shown = progress.failure
            files = "1 file" if progress.failed == 1 else f"{progress.failed:,} files"
            self.window.statusBar().showMessage(
                f"{progress.label}: {files} not done: {progress.failure}", FAILURE_MESSAGE_MS
            )
        if job is None and progress.running and progress.total > progress.done:
            job = StageJob(self, progress.stage, progress.label)
            self.stage_jobs[int(progress.stage)] = job
            self.window.jobs.add(job)
        if job is not None:
            job.done, job.total = progress.done, progress.total
            if progress.running:
                job.changed.emit()
            else:
                job.running = False
                del self.stage_jobs[int(progress.stage)]
                job.finished.emit()
        if not progress.running:
            self.processed[int(progress.stage)] = self.processed.get(int(progress.stage), 0) + progress.done
            self.stage_finished.emit(int(progress.stage))
        self._show_status()

    def _show_status(self) -> None:
        running = [job.summary for job in self.stage_jobs.values()]
        if running:
            text = " · ".join(running)
        elif self.model_work_paused:
            text = "Model work paused"
        else:
            text = "Idle: nothing waiting"
        self.status_action.setText(text)
        self.run_action.setEnabled(not running)  # while a stage runs, what arrives joins it anyway
        self.status_action.setToolTip(self.note)


def install_background_work(window: MainWindow) -> BackgroundWork:
    """Start the window's background pipeline and add Library › Background Work."""
    existing = getattr(window, "background_work", None)
    if isinstance(existing, BackgroundWork):
        return existing
    controller = BackgroundWork(window, window.settings)
    window.background_work = controller  # type: ignore[attr-defined]
    controller.start()
    return controller
