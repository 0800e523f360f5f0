""" "Tag library": run the pipeline's model-tag stage now over the images the model has not seen,
with its progress, and cancel it between batches."""

from __future__ import annotations

import threading

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from dam_desktop.core.stages import SystemStage
from dam_desktop.ui.tasks import TaskSet
from dam_desktop.ui.world_client import WorldClient
from dam_desktop.use_cases import models, pipeline
from dam_desktop.use_cases.pipeline import StageOutcome

RUN_TIP = "Let the model propose tags for every image it has not tagged yet"


def describe(report: StageOutcome) -> str:
    if report.paused:
        return "Model work is paused (Library › Background Work)."
    if report.notes and not report.done:
        return "Model weights are missing; import a weights file to tag images."
    parts = [f"Tagged {report.done:,} images"]
    if report.failed:
        parts.append(f"{len(report.failed):,} could not be read")
    if report.cancelled:
        parts.append(f"cancelled, {report.remaining:,} still waiting")
    return ", ".join(parts) + "."


class TaggingRunBar(QFrame):
    _progress = Signal(int, int)  # emitted from the world thread during a run

    def __init__(self, client: WorldClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("taggingRunBar")
        self.client = client
        self.tasks = TaskSet()
        self.running = False
        self.last_report: StageOutcome | None = None
        self.last_error = ""
        self.cancel_requested = threading.Event()
        self.run_button = QPushButton("Tag library", self)
        self.run_button.setObjectName("runTaggingButton")
        self.run_button.setToolTip(RUN_TIP)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("taggingProgress")
        self.progress.setFormat("%v / %m images")
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("cancelTaggingButton")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.run_status = QLabel("", self)
        self.run_status.setObjectName("dimLabel")
        self.run_status.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.run_button)
        layout.addWidget(self.progress, 1)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.run_status, 1)
        self._progress.connect(self._on_progress)

    def show_weights_missing(self, message: str | None) -> None:
        """Without weights the button says why instead of starting a run that cannot work."""
        if not self.running:
            self.run_button.setEnabled(message is None)
            self.run_button.setToolTip(message or RUN_TIP)

    async def start(self, *, retag: bool = False) -> StageOutcome | None:
        """Queue the images the model has not tagged, then run the model-tag stage over every one
        waiting (joining the background pipeline's pass when it is already tagging)."""
        if self.running:
            return None
        self.running = True
        self.cancel_requested.clear()
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.run_status.setText("Loading the model…")
        progress = self._progress
        try:
            report = await self.client.call(
                lambda world: models.tag_library(world, retag=retag, progress=progress.emit)
            )
        except Exception as exc:
            self.last_error = str(exc)
            self.run_status.setText(f"Tagging stopped: {exc}")
            report = None
        finally:
            self.running = False
            self.cancel_button.hide()
            self.progress.hide()
            self.run_button.setEnabled(True)
        if report is not None:
            self.last_report = report
            self.run_status.setText(describe(report))
        return report

    def cancel(self) -> None:
        if self.running:
            self.cancel_requested.set()
            stage = [SystemStage.AUTO_TAGGING]
            self.tasks.spawn(self.client.call(lambda world: pipeline.cancel_stages(world, stage)))
            self.cancel_button.setEnabled(False)
            self.run_status.setText("Cancelling after the current batch…")

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        if not self.cancel_requested.is_set():
            self.run_status.setText("Tagging…")
