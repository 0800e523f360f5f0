"""Marker bookkeeping shared by the scheduler and by background runs that drain a marker themselves.

A finished entity loses its marker; a failed one keeps it with one more attempt and the reason.
`drain_marker` is the batch loop for runs that report progress and can be cancelled between
batches (tagging, image embeddings), so they follow the same rules as scheduled systems.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.models.core.markers import BaseMarker

ProgressCallback = Callable[[int, int], None]
BatchProcessor = Callable[[list[int]], Awaitable[Mapping[int, str]]]

MAX_ERROR_LENGTH = 2000


async def finish_markers(
    session: AsyncSession, marker: type[BaseMarker], ids: Sequence[int], failed: Mapping[int, str]
) -> None:
    """Remove the marker of every entity in `ids` not in `failed`; count an attempt on the others."""
    finished = [i for i in ids if i not in failed]
    if finished:
        await session.execute(delete(marker).where(marker.entity_id.in_(finished)))
    for entity_id, reason in failed.items():
        await session.execute(
            update(marker)
            .where(marker.entity_id == entity_id)
            .values(attempts=marker.attempts + 1, last_error=reason[:MAX_ERROR_LENGTH])
        )


async def pending_marker_count(session: AsyncSession, marker: type[BaseMarker]) -> int:
    """Entities still waiting on `marker` (those that failed too often are not counted)."""
    stmt = select(func.count()).select_from(marker).where(marker.attempts < marker.MAX_ATTEMPTS)
    return int((await session.scalar(stmt)) or 0)


@dataclass
class DrainOutcome:
    finished: int = 0
    failed: dict[int, str] = field(default_factory=dict)
    cancelled: bool = False


async def drain_marker(
    session: AsyncSession,
    marker: type[BaseMarker],
    batch_size: int,
    process: BatchProcessor,
    *,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> DrainOutcome:
    """Feed marked entity ids to `process` in batches, committing each batch with its markers.

    `process` returns the ids it could not finish, with reasons. An exception from it rolls the
    batch back and propagates, leaving that batch's markers untouched.
    """
    outcome = DrainOutcome()
    total = await pending_marker_count(session, marker)
    done = 0
    last_id = 0
    if progress:
        progress(0, total)
    while not (cancel is not None and cancel.is_set()):
        ids = list(
            (
                await session.scalars(
                    select(marker.entity_id)
                    .where(marker.attempts < marker.MAX_ATTEMPTS, marker.entity_id > last_id)
                    .order_by(marker.entity_id)
                    .limit(batch_size)
                )
            ).all()
        )
        if not ids:
            break
        last_id = ids[-1]
        try:
            failed = await process(ids)
        except BaseException:
            await session.rollback()
            raise
        await finish_markers(session, marker, ids, failed)
        await session.commit()
        outcome.finished += len(ids) - len(failed)
        outcome.failed.update(failed)
        done += len(ids)
        if progress:
            progress(done, max(total, done))
    outcome.cancelled = cancel is not None and cancel.is_set()
    return outcome
