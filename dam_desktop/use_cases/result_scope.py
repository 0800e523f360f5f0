"""A whole result as a selection: what "select all" over more assets than the window lists hands
an edit (tags, marks, the trash, export), and the ids it stands for, read on the world's side."""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dam_desktop.services.browse import browse_service
from dam_desktop.services.search.result_ids import matching_ids
from dam_desktop.services.search.sorting import SortKey

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class ResultScope:
    """A whole search result as a selection: the tag query's matches but the `excluded` ids (a
    "select all" over 655k matches, less the few the user then left out). With `trash`, the
    trash's listing instead, `query` being its file-name filter ("" for all of it)."""

    query: str
    excluded: tuple[int, ...] = ()
    count: int = 0  # how many assets it stands for, to say so (e.g. in an undo step's name)
    trash: bool = False


async def scope_ids(session: AsyncSession, scope: ResultScope) -> array[int]:
    """The ids the scope stands for, ascending; raises QueryError for a bad query."""
    if not scope.trash:
        return await matching_ids(session, scope.query, scope.excluded)
    listed = await browse_service.asset_ids(
        session, SortKey.ADDED, descending=False, trashed=True, name_contains=scope.query or None
    )
    excluded = set(scope.excluded)
    return array("q", sorted(i for i in listed.tolist() if i not in excluded))
