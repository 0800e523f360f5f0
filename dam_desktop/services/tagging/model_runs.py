"""A model run over a marker: what the tagging run and the image-embedding run share.

One run at a time per model (its settings' `run_lock`); nothing is touched when the weights are
missing (the markers wait for them); batches are drained with `drain_marker`, a cancel taking
effect between batches; and a weights file that turns out to be unusable mid-run stops the run
with a message instead of marking every asset as failed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.marker_ops import BatchProcessor, ProgressCallback, drain_marker, pending_marker_count
from dam_desktop.models.core.markers import BaseMarker


@dataclass
class ModelRunReport:
    done: int = 0  # assets the model finished
    failed: dict[int, str] = field(default_factory=dict)
    remaining: int = 0
    cancelled: bool = False
    weights_missing: str | None = None  # the message for people, when the run could not start
    busy: bool = False  # another run had the model; this one did nothing


async def run_model_over_marker(
    session: AsyncSession,
    marker: type[BaseMarker],
    report: ModelRunReport,
    *,
    run_lock: threading.Lock,
    batch_size: int,
    process: BatchProcessor,
    weights_missing: Callable[[], str | None],
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Fill `report` with a run of `process` over the assets marked with `marker`.

    `weights_missing` says why the model cannot run (None when its weights are there)."""
    from dam_desktop.ml.open_clip_loader import InvalidWeightsError, WeightsMissingError

    if not run_lock.acquire(blocking=False):
        report.busy = True
        return
    try:
        if (message := weights_missing()) is not None:
            report.weights_missing = message
        else:
            try:
                outcome = await drain_marker(
                    session, marker, batch_size, process, progress=progress, cancel=cancel
                )
            except (WeightsMissingError, InvalidWeightsError) as exc:
                report.weights_missing = getattr(exc, "user_message", str(exc))
            else:
                report.done += outcome.finished
                report.failed.update(outcome.failed)
            report.cancelled = cancel is not None and cancel.is_set()
        report.remaining = await pending_marker_count(session, marker)
    finally:
        run_lock.release()
