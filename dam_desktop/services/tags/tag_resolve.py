"""What a tag query's term stands for: a name, alias or wildcard -> those tags and every tag below
them (transitively), with their summed use count (the query planner's estimate). On the world's
session or a plain sqlite3 one (`core.plain_session`): nothing here imports SQLAlchemy."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dam_desktop.core.sql_dialect import glob_operator, glob_pattern, json_texts
from dam_desktop.services.tags.tag_sql import ALIAS, CONCEPT, PARENT, fetch_rows, glob_escape
from dam_desktop.services.tags.tag_types import WHITESPACE, ResolvedTags, TagNameError, normalize_tag_name

if TYPE_CHECKING:
    from dam_desktop.core.plain_session import AnySession

_DESCENDANTS = f"""
WITH RECURSIVE d(id) AS (
  SELECT id FROM seed
  UNION SELECT p.entity_id FROM {PARENT} p JOIN d ON p.parent_tag_entity_id = d.id
)
SELECT d.id, c.use_count FROM d JOIN {CONCEPT} c ON c.entity_id = d.id
"""


async def resolve_tag_query_name(session: AnySession, name: str) -> ResolvedTags:
    """A name or alias -> that tag and every tag below it (transitively). Unknown names -> empty."""
    seed = (
        f"seed(id) AS (SELECT entity_id FROM {CONCEPT} WHERE tag_name = :n"
        f" UNION SELECT entity_id FROM {ALIAS} WHERE alias_name = :n),"
    )
    return await _resolve(session, seed, {"n": normalize_tag_name(name)})


async def resolve_tag_pattern(session: AnySession, pattern: str) -> ResolvedTags:
    """A wildcard (`*` any run of characters) over names and aliases -> tags and their descendants."""
    norm = WHITESPACE.sub(" ", pattern.strip().lower())
    glob = "*".join(glob_escape(part) for part in norm.split("*"))
    op = glob_operator(session)
    seed = (
        f"seed(id) AS (SELECT entity_id FROM {CONCEPT} WHERE tag_name {op} :g"
        f" UNION SELECT entity_id FROM {ALIAS} WHERE alias_name {op} :g),"
    )
    return await _resolve(session, seed, {"g": glob_pattern(session, glob)})


async def _resolve(session: AnySession, seed: str, params: dict[str, Any]) -> ResolvedTags:
    sql = _DESCENDANTS.replace("WITH RECURSIVE ", "WITH RECURSIVE " + seed + " ", 1)
    rows = await fetch_rows(session, sql, params)
    return ResolvedTags(frozenset(int(r[0]) for r in rows), sum(max(0, int(r[1])) for r in rows))


async def resolve_tag_query_names(session: AnySession, names: Iterable[str]) -> dict[str, ResolvedTags]:
    """`resolve_tag_query_name` for many names in one query; keyed by the names as given."""
    statement = names_statement(session, names)
    if statement is None:
        return {}
    sql, params, normalized = statement
    return resolved_names(await fetch_rows(session, sql, params), normalized)


def names_statement(
    session: AnySession, names: Iterable[str]
) -> tuple[str, dict[str, Any], dict[str, str]] | None:
    """The statement `resolve_tag_query_names` runs, its parameters, and each valid name given
    with its normalised spelling (for `resolved_names`); None when no name is valid."""
    normalized: dict[str, str] = {}
    for name in names:
        try:
            normalized[name] = normalize_tag_name(name)
        except TagNameError:
            continue
    if not normalized:
        return None
    sql = f"""
WITH RECURSIVE seed(name, id) AS (
  SELECT j.value, c.entity_id FROM {json_texts(session, "n")} j JOIN {CONCEPT} c ON c.tag_name = j.value
  UNION SELECT j.value, a.entity_id FROM {json_texts(session, "n")} j JOIN {ALIAS} a ON a.alias_name = j.value
), d(name, id) AS (
  SELECT name, id FROM seed
  UNION SELECT d.name, p.entity_id FROM {PARENT} p JOIN d ON p.parent_tag_entity_id = d.id
)
SELECT d.name, d.id, c.use_count FROM d JOIN {CONCEPT} c ON c.entity_id = d.id"""
    return sql, {"n": json.dumps(sorted(set(normalized.values())))}, normalized


def resolved_names(rows: Iterable[Any], normalized: dict[str, str]) -> dict[str, ResolvedTags]:
    """The rows of `names_statement` by the names as given."""
    ids: dict[str, set[int]] = {}
    uses: dict[str, int] = {}
    for name, tag_id, use in rows:
        ids.setdefault(str(name), set()).add(int(tag_id))
        uses[str(name)] = uses.get(str(name), 0) + max(0, int(use))
    return {
        given: ResolvedTags(frozenset(ids.get(norm, ())), uses.get(norm, 0))
        for given, norm in normalized.items()
    }
