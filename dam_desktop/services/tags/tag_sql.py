"""The SQL pieces every tag module shares: the tables, id lists as one JSON parameter, and the
one SELECT that reads a tag's six columns into a `TagInfo`. Nothing here imports SQLAlchemy: the
tag query compiler resolves names through it on plain sqlite3 too (`core.plain_session`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dam_desktop.core.plain_session import fetch_rows as fetch_rows
from dam_desktop.services.tags.tag_types import TagInfo

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

LINK = "component_entity_tag_link"
# The (tag, entity) covering index of LINK: one tag's entities, in entity id order.
LINK_BY_TAG = "ix_entity_tag_link_tag_entity"
MODEL_LINK = "component_model_generated_tag_link"
CONCEPT = "component_tag_concept"
ALIAS = "component_tag_alias"
PARENT = "component_tag_parent"

# A tag's columns, read from the concept table under the alias `c`.
TAG_COLUMNS = "c.entity_id, c.tag_name, c.namespace, c.use_count, c.tag_description, c.color"


def ids_json(ids: Iterable[int]) -> str:
    """Sorted, distinct ids as one JSON parameter. Sorted ids write the (entity, tag) indexes in
    key order, which keeps a bulk edit of scattered assets to one pass over their pages."""
    return json.dumps(sorted({int(i) for i in ids}))


def glob_escape(value: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", value)


def tag_info(row: Any) -> TagInfo:
    return TagInfo(
        id=int(row[0]),
        name=str(row[1]),
        namespace=row[2],
        use_count=int(row[3]),
        description=row[4],
        color=row[5],
    )


async def select_tags_with(
    session: AsyncSession, rest: str, params: dict[str, Any] | None = None, *, extra: str = ""
) -> list[tuple[TagInfo, tuple[Any, ...]]]:
    """`SELECT <the tag's columns>[, extra] <rest>`: each tag with the extra columns' values.
    `rest` starts at FROM and names the concept table `c`."""
    found = await fetch_rows(session, f"SELECT {TAG_COLUMNS}{', ' + extra if extra else ''} {rest}", params)
    return [(tag_info(r), tuple(r[6:])) for r in found]


async def select_tags(
    session: AsyncSession, rest: str, params: dict[str, Any] | None = None
) -> list[TagInfo]:
    return [tag for tag, _ in await select_tags_with(session, rest, params)]
