"""Reading and writing an asset's marks: rating, colour label, flag, note, source URL.

Writes go in batches (one UPDATE for the assets that have a row, one INSERT for those that do not)
so marking 10,000 selected assets is two statements, not 10,000.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.errors import DamError
from dam_desktop.models.marks import FLAGS, LABELS, MAX_RATING, AssetMarksComponent

BATCH = 500
MAX_URL = 2048


class MarkError(DamError):
    """A mark that cannot be set: a rating out of range, an unknown label or flag."""


@dataclass(frozen=True)
class Marks:
    rating: int = 0
    label: str | None = None
    flag: str | None = None
    note: str | None = None
    source_url: str | None = None


@dataclass(frozen=True)
class MarkChanges:
    """What to set; a field left as None is left alone (clear a label with `clear_label`)."""

    rating: int | None = None
    label: str | None = None
    flag: str | None = None
    note: str | None = None
    source_url: str | None = None
    clear_label: bool = False
    clear_flag: bool = False

    def values(self) -> dict[str, Any]:
        """The columns to write, validated; MarkError when one is out of bounds."""
        out: dict[str, Any] = {}
        if self.rating is not None:
            if not 0 <= self.rating <= MAX_RATING:
                raise MarkError(f"a rating is 0 to {MAX_RATING} stars, not {self.rating}")
            out["rating"] = int(self.rating)
        if self.clear_label:
            out["label"] = None
        elif self.label is not None:
            label = self.label.strip().lower()
            if label not in LABELS:
                raise MarkError(f"unknown colour label '{self.label}'; known: {', '.join(LABELS)}")
            out["label"] = label
        if self.clear_flag:
            out["flag"] = None
        elif self.flag is not None:
            flag = self.flag.strip().lower()
            if flag not in FLAGS:
                raise MarkError(f"unknown flag '{self.flag}'; known: {', '.join(FLAGS)}")
            out["flag"] = flag
        if self.note is not None:
            out["note"] = self.note.strip() or None
        if self.source_url is not None:
            url = self.source_url.strip()
            if len(url) > MAX_URL:
                raise MarkError(f"a source URL is at most {MAX_URL} characters")
            out["source_url"] = url or None
        return out


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield list(ids[start : start + BATCH])


async def marks_of(session: AsyncSession, entity_ids: Sequence[int]) -> dict[int, Marks]:
    """The marks of each asset that has any (others are unmarked: `Marks()`)."""
    table = AssetMarksComponent
    found: dict[int, Marks] = {}
    for chunk in _chunks(list(entity_ids)):
        rows = await session.execute(
            select(
                table.entity_id, table.rating, table.label, table.flag, table.note, table.source_url
            ).where(table.entity_id.in_(chunk))
        )
        for entity_id, rating, label, flag, note, url in rows:
            found[int(entity_id)] = Marks(int(rating or 0), label, flag, note, url)
    return found


async def write_marks(session: AsyncSession, entity_ids: Sequence[int], values: dict[str, Any]) -> None:
    """Set `values` (column -> value) on every asset in `entity_ids`, creating rows where needed."""
    if not values or not entity_ids:
        return
    table = AssetMarksComponent
    ids = list(dict.fromkeys(int(i) for i in entity_ids))
    for chunk in _chunks(ids):
        have = set((await session.scalars(select(table.entity_id).where(table.entity_id.in_(chunk)))).all())
        if have:
            await session.execute(update(table).where(table.entity_id.in_(list(have))).values(**values))
        missing = [i for i in chunk if i not in have]
        if missing:
            defaults = {f.name: getattr(Marks(), f.name) for f in fields(Marks)}
            await session.execute(insert(table), [{**defaults, **values, "entity_id": i} for i in missing])


async def restore_marks(session: AsyncSession, previous: dict[int, Marks]) -> None:
    """Put back what `marks_of` read (undo): each asset gets its own earlier marks."""
    by_value: dict[Marks, list[int]] = {}
    for entity_id, marks in previous.items():
        by_value.setdefault(marks, []).append(entity_id)
    for marks, ids in by_value.items():
        await write_marks(session, ids, {f.name: getattr(marks, f.name) for f in fields(Marks)})
