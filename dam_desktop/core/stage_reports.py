"""What the scheduler tells about a stage: progress while it runs, a report when it ends."""

from __future__ import annotations

from dataclasses import dataclass, field

from dam_desktop.core.stages import STAGE_INFO, SystemStage


@dataclass(frozen=True)
class StageProgress:
    """A stage's progress, told to the scheduler's progress listeners after each batch.

    `total` is what was waiting when the pass began (plus what arrived since and was reached);
    `running` is False in the last message of a pass. `note` says why some work waits (the
    weights of a model are missing), for people to read.
    """

    stage: SystemStage
    done: int
    total: int
    running: bool
    note: str = ""
    # The last batch that failed as a whole in this pass (its system raised: the model worker died,
    # say), for the window's status bar: how many files it held and why.
    failure: str = ""
    failed: int = 0

    @property
    def label(self) -> str:
        return STAGE_INFO[self.stage].label


@dataclass
class SystemRunReport:
    finished: int = 0
    failed: dict[int, str] = field(default_factory=dict)
    deferred: str | None = None  # why it waited, its markers untouched (weights missing)
    skipped: str | None = None  # why it did not run at all (a module it requires is not installed)
    error: str | None = None  # a system without a marker that raised


@dataclass
class StageReport:
    stage: SystemStage
    systems: dict[str, SystemRunReport] = field(default_factory=dict)
    paused: bool = False  # stopped (or not started) because the stage is paused
    cancelled: bool = False

    @property
    def failed(self) -> dict[int, str]:
        merged: dict[int, str] = {}
        for report in self.systems.values():
            merged.update(report.failed)
        return merged

    @property
    def finished(self) -> int:
        return sum(report.finished for report in self.systems.values())

    @property
    def notes(self) -> list[str]:
        """Why work of this stage waits (deferred) or was skipped, once each."""
        found = [r.deferred or r.skipped for r in self.systems.values() if r.deferred or r.skipped]
        return list(dict.fromkeys(note for note in found if note))

    def merge(self, other: StageReport) -> None:
        """Add a later pass of the same stage to this report."""
        for name, report in other.systems.items():
            mine = self.systems.setdefault(name, SystemRunReport())
            mine.finished += report.finished
            mine.failed.update(report.failed)
            mine.deferred = report.deferred or mine.deferred
            mine.skipped = report.skipped or mine.skipped
            mine.error = report.error or mine.error
        self.paused = other.paused
        self.cancelled = other.cancelled
