"""Parent tags: `child` implies `parent` (searching the parent finds the child's assets), never in a
cycle."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.sql_dialect import or_ignore
from dam_desktop.services.tags.tag_concepts import names_of, require_id
from dam_desktop.services.tags.tag_sql import CONCEPT, PARENT, fetch_rows, select_tags
from dam_desktop.services.tags.tag_types import TagCycleError, TagInfo


async def add_parent(session: AsyncSession, child_id: int, parent_id: int) -> None:
    """`child` implies `parent` (searching the parent finds the child's assets).

    Raises TagCycleError, naming the chain, when the parent already descends from the child.
    """
    child = await require_id(session, child_id)
    parent = await require_id(session, parent_id)
    if child_id == parent_id:
        raise TagCycleError(f"'{child.name}' cannot be its own parent")
    chain = await ancestor_path(session, parent_id, child_id)
    if chain is not None:
        names = await names_of(session, chain)
        path = " → ".join(names[i] for i in chain)
        raise TagCycleError(
            f"'{parent.name}' cannot be a parent of '{child.name}': it would make a cycle"
            f" ({child.name} → {path})"
        )
    await session.execute(
        text(
            or_ignore(
                session, f"INSERT OR IGNORE INTO {PARENT} (entity_id, parent_tag_entity_id) VALUES (:c, :p)"
            )
        ),
        {"c": child_id, "p": parent_id},
    )


async def remove_parent(session: AsyncSession, child_id: int, parent_id: int) -> bool:
    result = await session.execute(
        text(f"DELETE FROM {PARENT} WHERE entity_id = :c AND parent_tag_entity_id = :p"),
        {"c": child_id, "p": parent_id},
    )
    return bool(getattr(result, "rowcount", 0))


async def parents_of(session: AsyncSession, tag_id: int) -> list[TagInfo]:
    return await _linked(session, tag_id, shown="parent_tag_entity_id", given="entity_id")


async def children_of(session: AsyncSession, tag_id: int) -> list[TagInfo]:
    return await _linked(session, tag_id, shown="entity_id", given="parent_tag_entity_id")


async def _linked(session: AsyncSession, tag_id: int, *, shown: str, given: str) -> list[TagInfo]:
    """The tags on the `shown` side of the parent links whose `given` side is `tag_id`, by name."""
    return await select_tags(
        session,
        f"FROM {PARENT} p JOIN {CONCEPT} c ON c.entity_id = p.{shown}"
        f" WHERE p.{given} = :t ORDER BY c.tag_name",
        {"t": tag_id},
    )


async def parent_edges(session: AsyncSession) -> dict[int, list[int]]:
    edges: dict[int, list[int]] = {}
    for child, parent in await fetch_rows(session, f"SELECT entity_id, parent_tag_entity_id FROM {PARENT}"):
        edges.setdefault(int(child), []).append(int(parent))
    return edges


async def ancestor_path(session: AsyncSession, start: int, goal: int) -> list[int] | None:
    """The chain start -> ... -> goal following parent links, or None when goal is no ancestor."""
    edges = await parent_edges(session)
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


def has_cycle(edges: dict[int, list[int]]) -> bool:
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
