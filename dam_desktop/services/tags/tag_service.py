"""Tags: concepts, manual links, aliases, parents (spec §2.7).

A tag is an entity with a `TagConceptComponent`. Its name is normalised (trimmed, lower-case,
inner whitespace collapsed); `character:alice` has the namespace `character`. A manual tag on an
asset is an `EntityTagLinkComponent` on the asset pointing at the tag's entity.

Every edit here is set-based: adding three tags to ten thousand assets is one INSERT ... SELECT,
whatever the number of assets. Entity id lists travel as one JSON parameter (`json_each`), so
there is no limit on their length. Functions flush but never commit: the caller owns the
transaction, so a bulk edit is all or nothing.

`use_count` on the concept (non-trashed entities carrying the tag) is kept by triggers in the
database (migration 0004); it ranks autocomplete and the sidebar without counting link rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.errors import DamError

LINK = "component_entity_tag_link"
# The (tag, entity) covering index of LINK: one tag's entities, in entity id order.
LINK_BY_TAG = "ix_entity_tag_link_tag_entity"
MODEL_LINK = "component_model_generated_tag_link"
CONCEPT = "component_tag_concept"
ALIAS = "component_tag_alias"
PARENT = "component_tag_parent"


class TagError(DamError):
    """A tag operation that cannot be done; the message says why, in words for people."""


class TagNotFoundError(TagError):
    pass


class TagNameError(TagError):
    """An empty or otherwise unusable tag name, or one already taken."""


class TagCycleError(TagError):
    """Making the parent link would let a tag imply itself."""


@dataclass(frozen=True)
class TagInfo:
    id: int  # the tag's entity id
    name: str
    namespace: str | None
    use_count: int
    description: str | None = None
    color: str | None = None


@dataclass(frozen=True)
class TagEdit:
    """What a bulk edit actually changed: (entity id, tag id, value) triples; enough to undo it."""

    links: tuple[tuple[int, int, str | None], ...]

    def __len__(self) -> int:
        return len(self.links)


_WS = re.compile(r"\s+")


def normalize_tag_name(name: str) -> str:
    """`  Character : Alice ` -> `character:alice`. Raises TagNameError for names that cannot be tags."""
    cleaned = _WS.sub(" ", name.strip().lower())
    if ":" in cleaned:
        ns, _, rest = cleaned.partition(":")
        cleaned = f"{ns.strip()}:{rest.strip()}"
    if not cleaned or cleaned == ":" or cleaned.endswith(":"):
        raise TagNameError(f"'{name}' is not a usable tag name")
    if len(cleaned) > 255:
        raise TagNameError(f"tag names are at most 255 characters ('{cleaned[:40]}...')")
    return cleaned


def namespace_of(name: str) -> str | None:
    ns, sep, _ = name.partition(":")
    return ns if sep and ns else None


def _ids_json(ids: Iterable[int]) -> str:
    """Sorted, distinct ids as one JSON parameter. Sorted ids write the (entity, tag) indexes in
    key order, which keeps a bulk edit of scattered assets to one pass over their pages."""
    return json.dumps(sorted({int(i) for i in ids}))


async def _rows(session: AsyncSession, sql: str, params: dict[str, Any] | None = None) -> list[Any]:
    return list((await session.execute(text(sql), params or {})).all())


# --- concepts -------------------------------------------------------------------------------------


async def get_or_create_tag_concept(
    session: AsyncSession,
    name: str,
    *,
    description: str | None = None,
    color: str | None = None,
) -> int:
    """The entity id of the tag named `name` (or whose alias it is), creating the tag if needed."""
    ids = await get_or_create_tag_concepts(session, [name])
    tag_id = ids[normalize_tag_name(name)]
    if description is not None or color is not None:
        await session.execute(
            text(
                f"UPDATE {CONCEPT} SET tag_description = coalesce(:d, tag_description),"
                " color = coalesce(:c, color) WHERE entity_id = :t"
            ),
            {"d": description, "c": color, "t": tag_id},
        )
    return tag_id


async def get_or_create_tag_concepts(session: AsyncSession, names: Iterable[str]) -> dict[str, int]:
    """Normalised name -> tag entity id for every name, creating the missing tags in bulk.

    A name that is an alias maps to the tag it stands for.
    """
    wanted = sorted({normalize_tag_name(n) for n in names})
    if not wanted:
        return {}
    found = await _lookup_names(session, wanted)
    missing = [n for n in wanted if n not in found]
    if missing:
        result = await session.execute(
            text(
                "INSERT INTO entities (created_at) SELECT CURRENT_TIMESTAMP FROM json_each(:n) RETURNING id"
            ),
            {"n": json.dumps(missing)},
        )
        new_ids = sorted(int(r[0]) for r in result.all())
        await session.execute(
            text(
                f"INSERT INTO {CONCEPT} (entity_id, tag_name, namespace, use_count) VALUES (:e, :n, :ns, 0)"
            ),
            [
                {"e": eid, "n": name, "ns": namespace_of(name)}
                for eid, name in zip(new_ids, missing, strict=True)
            ],
        )
        found.update(zip(missing, new_ids, strict=True))
    return found


async def _lookup_names(session: AsyncSession, names: Sequence[str]) -> dict[str, int]:
    """Normalised names -> tag ids, through concept names first and aliases second."""
    rows = await _rows(
        session,
        f"SELECT j.value, coalesce(c.entity_id, a.entity_id) FROM json_each(:n) j"
        f" LEFT JOIN {CONCEPT} c ON c.tag_name = j.value"
        f" LEFT JOIN {ALIAS} a ON a.alias_name = j.value"
        f" WHERE c.entity_id IS NOT NULL OR a.entity_id IS NOT NULL",
        {"n": json.dumps(list(names))},
    )
    return {str(r[0]): int(r[1]) for r in rows}


async def find_tag(session: AsyncSession, name: str) -> int | None:
    """The tag id for a name or alias, or None."""
    try:
        norm = normalize_tag_name(name)
    except TagNameError:
        return None
    return (await _lookup_names(session, [norm])).get(norm)


async def require_tag(session: AsyncSession, name: str) -> int:
    tag_id = await find_tag(session, name)
    if tag_id is None:
        raise TagNotFoundError(f"no tag named '{name}'")
    return tag_id


async def get_tag(session: AsyncSession, tag_id: int) -> TagInfo | None:
    rows = await _rows(
        session,
        f"SELECT entity_id, tag_name, namespace, use_count, tag_description, color FROM {CONCEPT}"
        " WHERE entity_id = :t",
        {"t": tag_id},
    )
    return _info(rows[0]) if rows else None


def _info(row: Any) -> TagInfo:
    return TagInfo(
        id=int(row[0]),
        name=str(row[1]),
        namespace=row[2],
        use_count=int(row[3]),
        description=row[4] if len(row) > 4 else None,
        color=row[5] if len(row) > 5 else None,
    )


async def list_tags(
    session: AsyncSession, *, order: str = "count", limit: int | None = None, prefix: str | None = None
) -> list[TagInfo]:
    """Every tag with its use count; `order` is "count" (most used first) or "name"."""
    order_sql = "use_count DESC, tag_name" if order == "count" else "tag_name"
    where = ""
    params: dict[str, Any] = {"lim": -1 if limit is None else limit}
    if prefix:
        where = "WHERE tag_name GLOB :g"
        params["g"] = _glob_escape(prefix.lower()) + "*"
    rows = await _rows(
        session,
        f"SELECT entity_id, tag_name, namespace, use_count, tag_description, color FROM {CONCEPT}"
        f" {where} ORDER BY {order_sql} LIMIT :lim",
        params,
    )
    return [_info(r) for r in rows]


async def usage_counts(session: AsyncSession, tag_ids: Iterable[int]) -> dict[int, int]:
    rows = await _rows(
        session,
        f"SELECT entity_id, use_count FROM {CONCEPT} WHERE entity_id IN (SELECT value FROM json_each(:t))",
        {"t": _ids_json(tag_ids)},
    )
    return {int(r[0]): int(r[1]) for r in rows}


def _glob_escape(value: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", value)


async def autocomplete(session: AsyncSession, prefix: str, limit: int = 10) -> list[TagInfo]:
    """Tags whose name, name after the namespace, or alias starts with `prefix`; most used first.

    An alias match returns the tag it stands for. 20k tags are scanned in a few milliseconds; the
    ranking reads the denormalised use count, never the link table.
    """
    p = _WS.sub(" ", prefix.strip().lower())
    if not p:
        return await list_tags(session, order="count", limit=limit)
    g = _glob_escape(p) + "*"
    # Three index-friendly parts (name prefix and alias prefix are ranges of unique indexes; the
    # part after a namespace scans only namespaced tags), ranked together by use count.
    rows = await _rows(
        session,
        f"SELECT c.entity_id, c.tag_name, c.namespace, c.use_count, c.tag_description, c.color"
        f" FROM {CONCEPT} c WHERE c.entity_id IN ("
        f"SELECT entity_id FROM {CONCEPT} WHERE tag_name GLOB :g"
        f" UNION ALL SELECT entity_id FROM {CONCEPT} WHERE namespace > ''"
        f" AND substr(tag_name, length(namespace) + 2) GLOB :g"
        f" UNION ALL SELECT entity_id FROM {ALIAS} WHERE alias_name GLOB :g)"
        f" ORDER BY c.use_count DESC, (c.tag_name GLOB :g) DESC, length(c.tag_name), c.tag_name LIMIT :lim",
        {"g": g, "lim": limit},
    )
    return [_info(r) for r in rows]


# --- links ----------------------------------------------------------------------------------------


async def add_tags(
    session: AsyncSession, entity_ids: Iterable[int], tag_names: Iterable[str], value: str | None = None
) -> TagEdit:
    """Tag every entity with every tag (creating tags as needed); one INSERT for the lot.

    Links that already exist are left as they are. Returns the links this call created.
    """
    names = list(tag_names)
    ids = _ids_json(entity_ids)
    if not names or ids == "[]":
        return TagEdit(())
    tag_ids = (await get_or_create_tag_concepts(session, names)).values()
    return await _insert_links(session, ids, _ids_json(tag_ids), value)


async def add_tag_ids(
    session: AsyncSession, entity_ids: Iterable[int], tag_ids: Iterable[int], value: str | None = None
) -> TagEdit:
    return await _insert_links(session, _ids_json(entity_ids), _ids_json(tag_ids), value)


async def _insert_links(session: AsyncSession, ids: str, tags: str, value: str | None) -> TagEdit:
    """Link every entity of the JSON list `ids` that exists to every tag of `tags`.

    The links created are read back afterwards as one JSON value rather than RETURNING a row each:
    a new row's id is one above the table's largest, so they are exactly the rows above the
    largest id before the INSERT, and 10k links cost one value in Python instead of 10k rows.
    """
    before = int(await session.scalar(text(f"SELECT coalesce(max(id), 0) FROM {LINK}")) or 0)
    await session.execute(
        text(
            f"INSERT OR IGNORE INTO {LINK} (entity_id, tag_concept_entity_id, tag_value)"
            " SELECT e.value, t.value, :v FROM json_each(:e) e CROSS JOIN json_each(:t) t"
            " WHERE EXISTS (SELECT 1 FROM entities x WHERE x.id = e.value)"
        ),
        {"e": ids, "t": tags, "v": value},
    )
    created = await session.scalar(
        text(
            "SELECT json_group_array(json_array(entity_id, tag_concept_entity_id, tag_value))"
            f" FROM {LINK} WHERE id > :before"
        ),
        {"before": before},
    )
    return TagEdit(tuple((int(e), int(t), v) for e, t, v in json.loads(created or "[]")))


async def remove_tags(session: AsyncSession, entity_ids: Iterable[int], tag_names: Iterable[str]) -> TagEdit:
    """Remove the tags (by name or alias) from every entity; unknown names are ignored."""
    norm = [normalize_tag_name(n) for n in tag_names]
    found = await _lookup_names(session, norm) if norm else {}
    return await remove_tag_ids(session, entity_ids, sorted(set(found.values())))


async def remove_tag_ids(session: AsyncSession, entity_ids: Iterable[int], tag_ids: Iterable[int]) -> TagEdit:
    tags = _ids_json(tag_ids)
    if tags == "[]":
        return TagEdit(())
    result = await session.execute(
        text(
            f"DELETE FROM {LINK} WHERE tag_concept_entity_id IN (SELECT value FROM json_each(:t))"
            " AND entity_id IN (SELECT value FROM json_each(:e))"
            " RETURNING entity_id, tag_concept_entity_id, tag_value"
        ),
        {"e": _ids_json(entity_ids), "t": tags},
    )
    return TagEdit(tuple((int(r[0]), int(r[1]), r[2]) for r in result.all()))


async def restore_links(session: AsyncSession, edit: TagEdit) -> None:
    """Put back links a `remove_*` call returned (undo of a removal)."""
    if edit.links:
        await session.execute(
            text(
                f"INSERT OR IGNORE INTO {LINK} (entity_id, tag_concept_entity_id, tag_value)"
                " VALUES (:e, :t, :v)"
            ),
            [{"e": e, "t": t, "v": v} for e, t, v in edit.links],
        )


async def drop_links(session: AsyncSession, edit: TagEdit) -> None:
    """Remove links an `add_*` call returned (undo of an addition)."""
    if edit.links:
        await session.execute(
            text(f"DELETE FROM {LINK} WHERE entity_id = :e AND tag_concept_entity_id = :t"),
            [{"e": e, "t": t} for e, t, _ in edit.links],
        )


async def tags_of_entities(session: AsyncSession, entity_ids: Iterable[int]) -> dict[int, list[TagInfo]]:
    """Each entity's manual tags, sorted by name; one query however many entities."""
    ids = [int(i) for i in entity_ids]
    out: dict[int, list[TagInfo]] = {i: [] for i in ids}
    rows = await _rows(
        session,
        f"SELECT l.entity_id, c.entity_id, c.tag_name, c.namespace, c.use_count, c.tag_description, c.color"
        f" FROM {LINK} l JOIN {CONCEPT} c ON c.entity_id = l.tag_concept_entity_id"
        " WHERE l.entity_id IN (SELECT value FROM json_each(:e)) ORDER BY c.tag_name",
        {"e": json.dumps(ids)},
    )
    for r in rows:
        out[int(r[0])].append(_info(r[1:]))
    return out


@dataclass(frozen=True)
class SelectionTags:
    """Tags of a multi-selection: those every selected entity carries, and those only some carry."""

    all: list[TagInfo]
    some: list[tuple[TagInfo, int]]  # with how many of the selection carry it


async def tags_of_selection(session: AsyncSession, entity_ids: Iterable[int]) -> SelectionTags:
    ids = sorted({int(i) for i in entity_ids})
    rows = await _rows(
        session,
        f"SELECT c.entity_id, c.tag_name, c.namespace, c.use_count, c.tag_description, c.color, count(*)"
        f" FROM {LINK} l JOIN {CONCEPT} c ON c.entity_id = l.tag_concept_entity_id"
        " WHERE l.entity_id IN (SELECT value FROM json_each(:e))"
        " GROUP BY c.entity_id ORDER BY c.tag_name",
        {"e": json.dumps(ids)},
    )
    every = [_info(r[:6]) for r in rows if int(r[6]) == len(ids)]
    some = [(_info(r[:6]), int(r[6])) for r in rows if int(r[6]) < len(ids)]
    return SelectionTags(every, some)


# --- editing tags themselves ----------------------------------------------------------------------


async def rename_tag(session: AsyncSession, tag_id: int, new_name: str) -> None:
    """Give the tag a new name; refused when the name belongs to another tag or alias (merge instead)."""
    name = normalize_tag_name(new_name)
    other = (await _lookup_names(session, [name])).get(name)
    if other is not None and other != tag_id:
        raise TagNameError(f"'{name}' is already a tag or alias; merge the tags instead")
    await _require_id(session, tag_id)
    await session.execute(
        text(f"DELETE FROM {ALIAS} WHERE entity_id = :t AND alias_name = :n"), {"t": tag_id, "n": name}
    )
    await session.execute(
        text(f"UPDATE {CONCEPT} SET tag_name = :n, namespace = :ns WHERE entity_id = :t"),
        {"n": name, "ns": namespace_of(name), "t": tag_id},
    )
    session.expire_all()


async def _require_id(session: AsyncSession, tag_id: int) -> TagInfo:
    info = await get_tag(session, tag_id)
    if info is None:
        raise TagNotFoundError(f"no tag with id {tag_id}")
    return info


async def merge_tags(session: AsyncSession, source_id: int, target_id: int) -> None:
    """Fold `source` into `target`: its links, model links, aliases, parents and children move to
    the target, its name becomes an alias of the target, and the source tag is deleted."""
    if source_id == target_id:
        raise TagError("cannot merge a tag into itself")
    source = await _require_id(session, source_id)
    await _require_id(session, target_id)
    merged: dict[int, list[int]] = {}
    for child, parents in (await _parent_edges(session)).items():
        c = target_id if child == source_id else child
        for parent in parents:
            q = target_id if parent == source_id else parent
            if q != c:
                merged.setdefault(c, []).append(q)
    if _has_cycle(merged):
        raise TagCycleError(
            f"merging '{source.name}' would make a tag its own ancestor; remove a parent link first"
        )
    p = {"s": source_id, "t": target_id}
    await session.execute(
        text(
            f"INSERT OR IGNORE INTO {LINK} (entity_id, tag_concept_entity_id, tag_value)"
            f" SELECT entity_id, :t, tag_value FROM {LINK} WHERE tag_concept_entity_id = :s"
        ),
        p,
    )
    await session.execute(
        text(
            f"INSERT OR IGNORE INTO {MODEL_LINK}"
            " (entity_id, tag_concept_entity_id, source_model_name, confidence)"
            f" SELECT entity_id, :t, source_model_name, confidence FROM {MODEL_LINK}"
            " WHERE tag_concept_entity_id = :s"
        ),
        p,
    )
    await session.execute(text(f"UPDATE {ALIAS} SET entity_id = :t WHERE entity_id = :s"), p)
    # Parents of the source become the target's, children of the source become the target's;
    # links that would make the target its own parent are dropped.
    await session.execute(
        text(
            f"INSERT OR IGNORE INTO {PARENT} (entity_id, parent_tag_entity_id)"
            f" SELECT :t, parent_tag_entity_id FROM {PARENT}"
            " WHERE entity_id = :s AND parent_tag_entity_id != :t"
        ),
        p,
    )
    await session.execute(
        text(
            f"INSERT OR IGNORE INTO {PARENT} (entity_id, parent_tag_entity_id)"
            f" SELECT entity_id, :t FROM {PARENT} WHERE parent_tag_entity_id = :s AND entity_id != :t"
        ),
        p,
    )
    await session.execute(text("DELETE FROM entities WHERE id = :s"), p)
    await session.execute(
        text(f"INSERT OR IGNORE INTO {ALIAS} (entity_id, alias_name) VALUES (:t, :n)"),
        {"t": target_id, "n": source.name},
    )
    session.expire_all()


async def delete_tag(session: AsyncSession, tag_id: int) -> None:
    """Delete the tag; its links, aliases and parent links go with it (cascade)."""
    await _require_id(session, tag_id)
    await session.execute(text("DELETE FROM entities WHERE id = :t"), {"t": tag_id})
    session.expire_all()


async def set_tag_details(
    session: AsyncSession, tag_id: int, *, description: str | None = None, color: str | None = None
) -> None:
    await _require_id(session, tag_id)
    await session.execute(
        text(f"UPDATE {CONCEPT} SET tag_description = :d, color = :c WHERE entity_id = :t"),
        {"d": description, "c": color, "t": tag_id},
    )


# --- aliases --------------------------------------------------------------------------------------


async def add_alias(session: AsyncSession, tag_id: int, alias: str) -> None:
    """Let `alias` stand for the tag in queries and when tagging."""
    name = normalize_tag_name(alias)
    info = await _require_id(session, tag_id)
    other = (await _lookup_names(session, [name])).get(name)
    if other == tag_id:
        return
    if other is not None:
        raise TagNameError(f"'{name}' is already a tag or an alias of another tag")
    await session.execute(
        text(f"INSERT INTO {ALIAS} (entity_id, alias_name) VALUES (:t, :n)"), {"t": info.id, "n": name}
    )


async def remove_alias(session: AsyncSession, alias: str) -> bool:
    result = await session.execute(
        text(f"DELETE FROM {ALIAS} WHERE alias_name = :n"), {"n": normalize_tag_name(alias)}
    )
    return bool(getattr(result, "rowcount", 0))


async def aliases_of(session: AsyncSession, tag_id: int) -> list[str]:
    rows = await _rows(
        session, f"SELECT alias_name FROM {ALIAS} WHERE entity_id = :t ORDER BY alias_name", {"t": tag_id}
    )
    return [str(r[0]) for r in rows]


# --- parents --------------------------------------------------------------------------------------


async def add_parent(session: AsyncSession, child_id: int, parent_id: int) -> None:
    """`child` implies `parent` (searching the parent finds the child's assets).

    Raises TagCycleError, naming the chain, when the parent already descends from the child.
    """
    child = await _require_id(session, child_id)
    parent = await _require_id(session, parent_id)
    if child_id == parent_id:
        raise TagCycleError(f"'{child.name}' cannot be its own parent")
    chain = await _ancestor_path(session, parent_id, child_id)
    if chain is not None:
        names = await _names(session, chain)
        path = " → ".join(names[i] for i in chain)
        raise TagCycleError(
            f"'{parent.name}' cannot be a parent of '{child.name}': it would make a cycle"
            f" ({child.name} → {path})"
        )
    await session.execute(
        text(f"INSERT OR IGNORE INTO {PARENT} (entity_id, parent_tag_entity_id) VALUES (:c, :p)"),
        {"c": child_id, "p": parent_id},
    )


async def remove_parent(session: AsyncSession, child_id: int, parent_id: int) -> bool:
    result = await session.execute(
        text(f"DELETE FROM {PARENT} WHERE entity_id = :c AND parent_tag_entity_id = :p"),
        {"c": child_id, "p": parent_id},
    )
    return bool(getattr(result, "rowcount", 0))


async def parents_of(session: AsyncSession, tag_id: int) -> list[TagInfo]:
    rows = await _rows(
        session,
        f"SELECT c.entity_id, c.tag_name, c.namespace, c.use_count, c.tag_description, c.color"
        f" FROM {PARENT} p JOIN {CONCEPT} c ON c.entity_id = p.parent_tag_entity_id"
        " WHERE p.entity_id = :t ORDER BY c.tag_name",
        {"t": tag_id},
    )
    return [_info(r) for r in rows]


async def children_of(session: AsyncSession, tag_id: int) -> list[TagInfo]:
    rows = await _rows(
        session,
        f"SELECT c.entity_id, c.tag_name, c.namespace, c.use_count, c.tag_description, c.color"
        f" FROM {PARENT} p JOIN {CONCEPT} c ON c.entity_id = p.entity_id"
        " WHERE p.parent_tag_entity_id = :t ORDER BY c.tag_name",
        {"t": tag_id},
    )
    return [_info(r) for r in rows]


async def _parent_edges(session: AsyncSession) -> dict[int, list[int]]:
    edges: dict[int, list[int]] = {}
    for child, parent in await _rows(session, f"SELECT entity_id, parent_tag_entity_id FROM {PARENT}"):
        edges.setdefault(int(child), []).append(int(parent))
    return edges


async def _ancestor_path(session: AsyncSession, start: int, goal: int) -> list[int] | None:
    """The chain start -> ... -> goal following parent links, or None when goal is no ancestor."""
    edges = await _parent_edges(session)
    previous: dict[int, int] = {}
    frontier = [start]
    seen = {start}
    while frontier:
        nxt: list[int] = []
        for node in frontier:
            for parent in edges.get(node, []):
                if parent in seen:
                    continue
                seen.add(parent)
                previous[parent] = node
                if parent == goal:
                    path = [goal]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return path[::-1]
                nxt.append(parent)
        frontier = nxt
    return None


def _has_cycle(edges: dict[int, list[int]]) -> bool:
    state: dict[int, int] = {}
    for root in edges:
        if state.get(root):
            continue
        stack: list[tuple[int, int]] = [(root, 0)]
        state[root] = 1
        while stack:
            node, i = stack[-1]
            parents = edges.get(node, [])
            if i < len(parents):
                stack[-1] = (node, i + 1)
                nxt = parents[i]
                if state.get(nxt) == 1:
                    return True
                if not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                stack.pop()
    return False


async def _names(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    rows = await _rows(
        session,
        f"SELECT entity_id, tag_name FROM {CONCEPT} WHERE entity_id IN (SELECT value FROM json_each(:t))",
        {"t": _ids_json(ids)},
    )
    return {int(r[0]): str(r[1]) for r in rows}


# --- resolution for queries -----------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedTags:
    """The tags a query term stands for, descendants included, and their summed use count."""

    ids: frozenset[int]
    use_count: int


_DESCENDANTS = f"""
WITH RECURSIVE d(id) AS (
  SELECT id FROM seed
  UNION SELECT p.entity_id FROM {PARENT} p JOIN d ON p.parent_tag_entity_id = d.id
)
SELECT d.id, c.use_count FROM d JOIN {CONCEPT} c ON c.entity_id = d.id
"""


async def resolve_tag_query_name(session: AsyncSession, name: str) -> ResolvedTags:
    """A name or alias -> that tag and every tag below it (transitively). Unknown names -> empty."""
    seed = (
        f"seed(id) AS (SELECT entity_id FROM {CONCEPT} WHERE tag_name = :n"
        f" UNION SELECT entity_id FROM {ALIAS} WHERE alias_name = :n),"
    )
    return await _resolve(session, seed, {"n": normalize_tag_name(name)})


async def resolve_tag_pattern(session: AsyncSession, pattern: str) -> ResolvedTags:
    """A wildcard (`*` any run of characters) over names and aliases -> tags and their descendants."""
    norm = _WS.sub(" ", pattern.strip().lower())
    glob = "*".join(_glob_escape(part) for part in norm.split("*"))
    seed = (
        f"seed(id) AS (SELECT entity_id FROM {CONCEPT} WHERE tag_name GLOB :g"
        f" UNION SELECT entity_id FROM {ALIAS} WHERE alias_name GLOB :g),"
    )
    return await _resolve(session, seed, {"g": glob})


async def _resolve(session: AsyncSession, seed: str, params: dict[str, Any]) -> ResolvedTags:
    sql = _DESCENDANTS.replace("WITH RECURSIVE ", "WITH RECURSIVE " + seed + " ", 1)
    rows = await _rows(session, sql, params)
    return ResolvedTags(frozenset(int(r[0]) for r in rows), sum(max(0, int(r[1])) for r in rows))


async def resolve_tag_query_names(session: AsyncSession, names: Iterable[str]) -> dict[str, ResolvedTags]:
    """`resolve_tag_query_name` for many names in one query; keyed by the names as given."""
    normalized: dict[str, str] = {}
    for name in names:
        try:
            normalized[name] = normalize_tag_name(name)
        except TagNameError:
            continue
    if not normalized:
        return {}
    rows = await _rows(
        session,
        f"""
WITH RECURSIVE seed(name, id) AS (
  SELECT j.value, c.entity_id FROM json_each(:n) j JOIN {CONCEPT} c ON c.tag_name = j.value
  UNION SELECT j.value, a.entity_id FROM json_each(:n) j JOIN {ALIAS} a ON a.alias_name = j.value
), d(name, id) AS (
  SELECT name, id FROM seed
  UNION SELECT d.name, p.entity_id FROM {PARENT} p JOIN d ON p.parent_tag_entity_id = d.id
)
SELECT d.name, d.id, c.use_count FROM d JOIN {CONCEPT} c ON c.entity_id = d.id""",
        {"n": json.dumps(sorted(set(normalized.values())))},
    )
    ids: dict[str, set[int]] = {}
    uses: dict[str, int] = {}
    for name, tag_id, use in rows:
        ids.setdefault(str(name), set()).add(int(tag_id))
        uses[str(name)] = uses.get(str(name), 0) + max(0, int(use))
    return {
        given: ResolvedTags(frozenset(ids.get(norm, ())), uses.get(norm, 0))
        for given, norm in normalized.items()
    }
