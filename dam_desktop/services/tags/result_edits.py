"""Tag edits over a whole search result: the query's matches (but the ids a selection left out)
tagged or untagged in SQL, one INSERT … SELECT or DELETE per tag, the ids never read into Python.

"Select all" over 655k matches hands the editor the query, not 655k ids. An addition is undone by
the link rows it created, which are one range of row ids (the edit's transaction held the write
lock; on PostgreSQL a link another workstation made for the same tag in between would be in the
range too); a removal keeps the entity ids it took (8 bytes each) and the few values, to put back.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import text

from dam_desktop.core.sql_dialect import json_ids, or_ignore
from dam_desktop.services.search import search_service
from dam_desktop.services.search.result_ids import matches_sql
from dam_desktop.services.tags.tag_concepts import get_or_create_tag_concepts
from dam_desktop.services.tags.tag_sql import LINK

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class AddedOverResult:
    """Links an addition over a result created: rows `after_id` < id <= `last_id` of these tags."""

    tag_ids: tuple[int, ...]
    after_id: int
    last_id: int
    count: int


@dataclass(frozen=True)
class RemovedOverResult:
    """Links a removal over a result took: per tag, the entity ids, and the values that were set."""

    entity_ids: dict[int, array[int]] = field(default_factory=dict)
    values: dict[tuple[int, int], str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(ids) for ids in self.entity_ids.values())


async def _last_link_id(session: AsyncSession) -> int:
    return int((await session.scalar(text(f"SELECT coalesce(max(id), 0) FROM {LINK}"))) or 0)


async def add_over_result(
    session: AsyncSession,
    query: str,
    *,
    excluded: Sequence[int] = (),
    names: Iterable[str] = (),
    tag_ids: Iterable[int] = (),
) -> AddedOverResult:
    """Tag every match of `query` but `excluded` with the named tags (made as needed) and the tags
    by id; raises QueryError for a bad query."""
    wanted = set(tag_ids) | set((await get_or_create_tag_concepts(session, list(names))).values())
    matches, params = await matches_sql(session, query, excluded)
    after = await _last_link_id(session)
    count = 0
    for tag_id in sorted(wanted):
        sql = or_ignore(
            session,
            f"INSERT OR IGNORE INTO {LINK} (entity_id, tag_concept_entity_id)"
            f" SELECT m.id, :tag FROM ({matches}) m",
        )
        result = await session.execute(*search_service.executable(session, sql, {**params, "tag": tag_id}))
        count += int(getattr(result, "rowcount", 0) or 0)
    return AddedOverResult(tuple(sorted(wanted)), after, await _last_link_id(session), count)


async def undo_added(session: AsyncSession, edit: AddedOverResult) -> None:
    if not edit.tag_ids or edit.last_id <= edit.after_id:
        return
    await session.execute(
        text(
            f"DELETE FROM {LINK} WHERE id > :after AND id <= :last"
            f" AND tag_concept_entity_id IN (SELECT value FROM {json_ids(session, 'tags')} x)"
        ),
        {"after": edit.after_id, "last": edit.last_id, "tags": json.dumps(list(edit.tag_ids))},
    )


async def remove_over_result(
    session: AsyncSession, query: str, tag_ids: Iterable[int], *, excluded: Sequence[int] = ()
) -> RemovedOverResult:
    """Untag every match of `query` but `excluded`; returns what an undo puts back."""
    matches, params = await matches_sql(session, query, excluded)
    removed = RemovedOverResult()
    for tag_id in sorted(set(tag_ids)):
        sql = (
            f"DELETE FROM {LINK} WHERE tag_concept_entity_id = :tag AND entity_id IN ({matches})"
            " RETURNING entity_id, tag_value"
        )
        taken = array("q")
        rows = await session.execute(*search_service.executable(session, sql, {**params, "tag": tag_id}))
        for entity_id, value in rows.all():
            taken.append(int(entity_id))
            if value is not None:
                removed.values[(int(entity_id), tag_id)] = str(value)
        if taken:
            removed.entity_ids[tag_id] = taken
    return removed


async def undo_removed(session: AsyncSession, edit: RemovedOverResult) -> None:
    for tag_id, entity_ids in edit.entity_ids.items():
        sql = (
            f"INSERT OR IGNORE INTO {LINK} (entity_id, tag_concept_entity_id)"
            f" SELECT x.value, :tag FROM {json_ids(session, 'ids')} x"
        )
        await session.execute(
            text(or_ignore(session, sql)), {"tag": tag_id, "ids": json.dumps(entity_ids.tolist())}
        )
    for (entity_id, tag_id), value in edit.values.items():
        await session.execute(
            text(f"UPDATE {LINK} SET tag_value = :v WHERE entity_id = :e AND tag_concept_entity_id = :t"),
            {"v": value, "e": entity_id, "t": tag_id},
        )
