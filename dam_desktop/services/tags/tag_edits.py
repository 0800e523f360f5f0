"""Editing tags themselves: rename, merge, delete, details, aliases."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.sql_dialect import or_ignore
from dam_desktop.services.tags.tag_concepts import lookup_names, require_id
from dam_desktop.services.tags.tag_hierarchy import has_cycle, parent_edges
from dam_desktop.services.tags.tag_sql import ALIAS, CONCEPT, LINK, MODEL_LINK, PARENT, fetch_rows
from dam_desktop.services.tags.tag_types import (
    TagCycleError,
    TagError,
    TagNameError,
    namespace_of,
    normalize_tag_name,
)


async def rename_tag(session: AsyncSession, tag_id: int, new_name: str) -> None:
    """Give the tag a new name; refused when the name belongs to another tag or alias (merge instead)."""
    name = normalize_tag_name(new_name)
    other = (await lookup_names(session, [name])).get(name)
    if other is not None and other != tag_id:
        raise TagNameError(f"'{name}' is already a tag or alias; merge the tags instead")
    await require_id(session, tag_id)
    await session.execute(
        text(f"DELETE FROM {ALIAS} WHERE entity_id = :t AND alias_name = :n"), {"t": tag_id, "n": name}
    )
    await session.execute(
        text(f"UPDATE {CONCEPT} SET tag_name = :n, namespace = :ns WHERE entity_id = :t"),
        {"n": name, "ns": namespace_of(name), "t": tag_id},
    )
    session.expire_all()


async def merge_tags(session: AsyncSession, source_id: int, target_id: int) -> None:
    """Fold `source` into `target`: its links, model links, aliases, parents and children move to
    the target, its name becomes an alias of the target, and the source tag is deleted."""
    if source_id == target_id:
        raise TagError("cannot merge a tag into itself")
    source = await require_id(session, source_id)
    await require_id(session, target_id)
    merged: dict[int, list[int]] = {}
    for child, parents in (await parent_edges(session)).items():
        c = target_id if child == source_id else child
        for parent in parents:
            q = target_id if parent == source_id else parent
            if q != c:
                merged.setdefault(c, []).append(q)
    if has_cycle(merged):
        raise TagCycleError(
            f"merging '{source.name}' would make a tag its own ancestor; remove a parent link first"
        )
    p = {"s": source_id, "t": target_id}
    await session.execute(
        text(
            or_ignore(
                session,
                f"INSERT OR IGNORE INTO {LINK} (entity_id, tag_concept_entity_id, tag_value)"
                f" SELECT entity_id, :t, tag_value FROM {LINK} WHERE tag_concept_entity_id = :s",
            )
        ),
        p,
    )
    await session.execute(
        text(
            or_ignore(
                session,
                f"INSERT OR IGNORE INTO {MODEL_LINK}"
                " (entity_id, tag_concept_entity_id, source_model_name, confidence)"
                f" SELECT entity_id, :t, source_model_name, confidence FROM {MODEL_LINK}"
                " WHERE tag_concept_entity_id = :s",
            )
        ),
        p,
    )
    await session.execute(text(f"UPDATE {ALIAS} SET entity_id = :t WHERE entity_id = :s"), p)
    # Parents of the source become the target's, children of the source become the target's;
    # links that would make the target its own parent are dropped.
    await session.execute(
        text(
            or_ignore(
                session,
                f"INSERT OR IGNORE INTO {PARENT} (entity_id, parent_tag_entity_id)"
                f" SELECT :t, parent_tag_entity_id FROM {PARENT}"
                " WHERE entity_id = :s AND parent_tag_entity_id != :t",
            )
        ),
        p,
    )
    await session.execute(
        text(
            or_ignore(
                session,
                f"INSERT OR IGNORE INTO {PARENT} (entity_id, parent_tag_entity_id)"
                f" SELECT entity_id, :t FROM {PARENT} WHERE parent_tag_entity_id = :s AND entity_id != :t",
            )
        ),
        p,
    )
    await session.execute(text("DELETE FROM entities WHERE id = :s"), p)
    await session.execute(
        text(or_ignore(session, f"INSERT OR IGNORE INTO {ALIAS} (entity_id, alias_name) VALUES (:t, :n)")),
        {"t": target_id, "n": source.name},
    )
    session.expire_all()


async def delete_tag(session: AsyncSession, tag_id: int) -> None:
    """Delete the tag; its links, aliases and parent links go with it (cascade)."""
    await require_id(session, tag_id)
    await session.execute(text("DELETE FROM entities WHERE id = :t"), {"t": tag_id})
    session.expire_all()


async def set_tag_details(
    session: AsyncSession, tag_id: int, *, description: str | None = None, color: str | None = None
) -> None:
    await require_id(session, tag_id)
    await session.execute(
        text(f"UPDATE {CONCEPT} SET tag_description = :d, color = :c WHERE entity_id = :t"),
        {"d": description, "c": color, "t": tag_id},
    )


# --- aliases --------------------------------------------------------------------------------------


async def add_alias(session: AsyncSession, tag_id: int, alias: str) -> None:
    """Let `alias` stand for the tag in queries and when tagging."""
    name = normalize_tag_name(alias)
    info = await require_id(session, tag_id)
    other = (await lookup_names(session, [name])).get(name)
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
    rows = await fetch_rows(
        session, f"SELECT alias_name FROM {ALIAS} WHERE entity_id = :t ORDER BY alias_name", {"t": tag_id}
    )
    return [str(r[0]) for r in rows]
