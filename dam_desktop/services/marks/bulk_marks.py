"""Marks over many assets at once (a whole search result, 655k assets and more), in SQL a batch
at a time, with an undo record that stays small: the ids that had no marks row, and the others
grouped by what the changed columns held before (8 bytes an id, a handful of distinct values).

`marks_service.write_marks` keeps a `Marks` per asset for undo: fine for a selection of thousands,
hundreds of MB for a million.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from dam_desktop.core.sql_dialect import json_ids
from dam_desktop.models.marks import AssetMarksComponent
from dam_desktop.services.marks.marks_service import Marks

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

TABLE = AssetMarksComponent.__tablename__
COLUMNS = ("rating", "label", "flag", "note", "source_url")
BATCH = 20_000


@dataclass
class BulkMarksEdit:
    """What a bulk write changed: `created` had no marks row; `previous` maps the old values of
    `columns` to the ids that held them."""

    columns: tuple[str, ...]
    created: array[int] = field(default_factory=lambda: array("q"))
    previous: dict[tuple[Any, ...], array[int]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.created) + sum(len(ids) for ids in self.previous.values())

    def entity_ids(self) -> array[int]:
        ids = array("q", self.created)
        for group in self.previous.values():
            ids.extend(group)
        return ids


def _batches(ids: Sequence[int]) -> Iterable[str]:
    for start in range(0, len(ids), BATCH):
        yield json.dumps(list(ids[start : start + BATCH]))


async def write_bulk(
    session: AsyncSession, entity_ids: Sequence[int], values: dict[str, Any]
) -> BulkMarksEdit:
    """Set `values` (column -> value) on every asset in `entity_ids` (distinct ids), creating rows
    where needed; returns what `undo_bulk` puts back."""
    columns = tuple(c for c in COLUMNS if c in values)
    edit = BulkMarksEdit(columns)
    if not columns:
        return edit
    ids_from = json_ids(session, "ids")
    in_batch = f"SELECT value FROM {ids_from} x"
    assign = ", ".join(f"{c} = :v_{c}" for c in columns)
    params = {f"v_{c}": values[c] for c in columns}
    defaults = {**{c: getattr(Marks(), c) for c in COLUMNS}, **values}
    insert_params = {f"d_{c}": defaults[c] for c in COLUMNS}
    for batch in _batches(entity_ids):
        rows = await session.execute(
            text(f"SELECT entity_id, {', '.join(columns)} FROM {TABLE} WHERE entity_id IN ({in_batch})"),
            {"ids": batch},
        )
        for entity_id, *old in rows:
            edit.previous.setdefault(tuple(old), array("q")).append(int(entity_id))
        await session.execute(
            text(f"UPDATE {TABLE} SET {assign} WHERE entity_id IN (SELECT value FROM {ids_from} x)"),
            {**params, "ids": batch},
        )
        created = await session.execute(
            text(
                f"INSERT INTO {TABLE} (entity_id, {', '.join(COLUMNS)})"
                f" SELECT x.value, {', '.join(f':d_{c}' for c in COLUMNS)} FROM {ids_from} x"
                f" WHERE NOT EXISTS (SELECT 1 FROM {TABLE} m WHERE m.entity_id = x.value)"
                " RETURNING entity_id"
            ),
            {**insert_params, "ids": batch},
        )
        edit.created.extend(int(row[0]) for row in created)
    return edit


async def undo_bulk(session: AsyncSession, edit: BulkMarksEdit) -> None:
    """Put back what `write_bulk` changed: rows it created go, the others get their old values."""
    ids_from = json_ids(session, "ids")
    for batch in _batches(edit.created):
        await session.execute(
            text(f"DELETE FROM {TABLE} WHERE entity_id IN (SELECT value FROM {ids_from} x)"), {"ids": batch}
        )
    assign = ", ".join(f"{c} = :v_{c}" for c in edit.columns)
    for old, ids in edit.previous.items():
        params = {f"v_{c}": value for c, value in zip(edit.columns, old, strict=True)}
        for batch in _batches(ids):
            await session.execute(
                text(f"UPDATE {TABLE} SET {assign} WHERE entity_id IN (SELECT value FROM {ids_from} x)"),
                {**params, "ids": batch},
            )
