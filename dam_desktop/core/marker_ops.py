"""Marker bookkeeping for the scheduler, the only thing that drains markers.

A finished entity loses its marker; a failed one keeps it with one more attempt and the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.models.core.markers import BaseMarker

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
