"""The panel under the grid while an import runs: what is happening, a determinate bar, Cancel."""

from __future__ import annotations

from pathlib import PurePath

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from dam_desktop.ui.jobs.jobs import ImportJob


class ImportPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importPanel")
        self.title = QLabel("Importing…", self)
        self.title.setObjectName("importTitle")
        self.detail = QLabel("", self)
        self.detail.setObjectName("dimLabel")
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.bar = QProgressBar(self)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("cancelImport")

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title)
        text.addWidget(self.detail)
        top = QHBoxLayout()
        top.addLayout(text, 1)
        top.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 12)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        self.job: ImportJob | None = None
        self.cancel_button.clicked.connect(self._cancel)
        self.hide()

    def track(self, job: ImportJob) -> None:
        self.job = job
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.title.setText("Looking for files…")
        self.detail.setText(
            ", ".join(PurePath(p).name for p in job.paths[:3]) + ("…" if len(job.paths) > 3 else "")
        )
        self.bar.setRange(0, 0)
        job.changed.connect(self._update)
        self.show()

    def _update(self) -> None:
        job = self.job
        if job is None:
            return
        if job.total:
            self.bar.setRange(0, job.total)
            self.bar.setValue(job.done)
            state = "Cancelling" if job.cancelling else "Importing"
            self.title.setText(f"{state} {job.done:,} of {job.total:,} files")
        if job.detail:
            self.detail.setText(PurePath(job.detail).name)

    def _cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("Cancelling…")
            self.title.setText("Cancelling — finishing the file in hand…")

    def finish(self) -> None:
        self.job = None
        self.hide()
