"""The check's verdicts in the database: one `MissingFileComponent` per asset none of whose
locations is present, written a batch at a time, and read back for the window's marks."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import ColumnElement, Table, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.models.files import (
    PROBLEM_MISSING,
    FileLocationComponent,
    FilePropertiesComponent,
    MissingFileComponent,
    TrashedComponent,
)

if TYPE_CHECKING:
    from dam_desktop.services.locations.location_check import CheckedAsset, LocationProblem


def not_trashed(entity_id: Any) -> ColumnElement[bool]:
    return ~select(TrashedComponent.id).where(TrashedComponent.entity_id == entity_id).exists()


def _mark_for(problems: Sequence[LocationProblem]) -> LocationProblem:
    """The location an asset's mark describes: "changed" only when every location is changed."""
    return next((p for p in problems if p.problem == PROBLEM_MISSING), problems[0])


async def write_marks(
    session: AsyncSession,
    after: int,
    upto: int,
    assets: Sequence[CheckedAsset],
    problems: Sequence[LocationProblem],
) -> None:
    """Record the verdict on the assets with ids in (after, upto] in one transaction (commits)."""
    fp, loc, mark = FilePropertiesComponent, FileLocationComponent, MissingFileComponent
    in_batch = (after, upto)
    broken: dict[int, list[LocationProblem]] = {}
    for problem in problems:
        if not problem.other_copy_present:
            broken.setdefault(problem.entity_id, []).append(problem)
    await session.execute(delete(mark).where(mark.entity_id > in_batch[0], mark.entity_id <= in_batch[1]))
    if broken:
        # The disk was looked at without a transaction open: an asset trashed, deleted, or given
        # a new location (an import brought its file back) meanwhile is left unmarked; the next
        # check decides it.
        seen = {a.entity_id: {location.location_id for location in a.locations} for a in assets}
        now: dict[int, set[int]] = {}
        rows = await session.execute(
            select(loc.entity_id, loc.id).where(loc.entity_id > in_batch[0], loc.entity_id <= in_batch[1])
        )
        for eid, location_id in rows:
            now.setdefault(eid, set()).add(location_id)
        live = set(
            (
                await session.scalars(
                    select(fp.entity_id).where(
                        fp.entity_id > in_batch[0], fp.entity_id <= in_batch[1], not_trashed(fp.entity_id)
                    )
                )
            ).all()
        )
        rows_to_insert = []
        for eid, found in broken.items():
            if eid not in live or now.get(eid, set()) != seen[eid]:
                continue
            shown = _mark_for(found)
            rows_to_insert.append(
                {
                    "entity_id": eid,
                    "problem": shown.problem,
                    "reason": shown.reason[:2000],
                    "path": shown.stored_path[:4096],
                    "storage_type": shown.storage_type,
                }
            )
        if rows_to_insert:
            # The table, not the class: a plain executemany, without the ORM's bulk bookkeeping.
            await session.execute(insert(cast(Table, mark.__table__)), rows_to_insert)
    await session.commit()


async def missing_marks(session: AsyncSession) -> dict[int, tuple[str, str]]:
    """{entity id: (problem, reason)} for every asset marked by the last check, trash aside."""
    mark = MissingFileComponent
    rows = await session.execute(
        select(mark.entity_id, mark.problem, mark.reason).where(not_trashed(mark.entity_id))
    )
    return {int(eid): (problem, sys.intern(reason)) for eid, problem, reason in rows}
