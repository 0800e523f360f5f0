"""Tagging assets and editing tags: the tag editor, the tag manager and `dam-desktop tag`/`tags`.

Every edit that changes links tells the world which assets changed ("tags"), so the tag sidebar's
counts, the inspector's chips and a tag query's result follow without being told by the editor.
Edits of tags themselves (rename, merge, delete, alias, parent) change what every query and chip
says, so they name no assets: listeners treat that as "any asset may have changed".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dam_desktop.core.events import WorldChanged
from dam_desktop.services.search import search_service
from dam_desktop.services.tags import result_edits, tag_service
from dam_desktop.services.tags.result_edits import AddedOverResult, RemovedOverResult
from dam_desktop.services.tags.tag_service import SelectionTags, TagEdit, TagError, TagInfo
from dam_desktop.use_cases.result_scope import ResultScope

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from dam_desktop.core.world import World

TAGS = "tags"  # the component name a change event gives for tag links and tags


def _changed(world: World, edit: TagEdit) -> TagEdit:
    if edit.links:
        world.notify_changed(WorldChanged.of({e for e, _, _ in edit.links}, TAGS))
    return edit


async def tags_of_selection(world: World, entity_ids: Sequence[int]) -> SelectionTags:
    """The tags on every selected asset, and those on only some (with how many carry each)."""
    if not entity_ids:
        return SelectionTags([], [])
    async with world.session() as session:
        return await tag_service.tags_of_selection(session, entity_ids)


async def autocomplete(world: World, prefix: str, limit: int = 12) -> list[TagInfo]:
    async with world.session() as session:
        return await tag_service.autocomplete(session, prefix, limit=limit)


async def list_tags(
    world: World, *, order: str = "count", prefix: str | None = None, limit: int | None = None
) -> list[TagInfo]:
    async with world.session() as session:
        return await tag_service.list_tags(session, order=order, prefix=prefix, limit=limit)


async def find_tags(world: World, text: str, limit: int = 5000) -> list[TagInfo]:
    """The tag manager's list: tags starting with `text` (or by alias), else every tag by name."""
    async with world.session() as session:
        if text:
            return await tag_service.autocomplete(session, text, limit=limit)
        return await tag_service.list_tags(session, order="name", limit=limit)


@dataclass(frozen=True)
class TagDetails:
    tag: TagInfo
    parents: list[TagInfo]
    aliases: list[str]


async def tag_details(world: World, tag_id: int) -> TagDetails | None:
    async with world.session() as session:
        info = await tag_service.get_tag(session, tag_id)
        if info is None:
            return None
        parents = await tag_service.parents_of(session, tag_id)
        return TagDetails(info, parents, await tag_service.aliases_of(session, tag_id))


# --- links ----------------------------------------------------------------------------------------


async def add_tags(
    world: World, entity_ids: Sequence[int], names: Iterable[str] = (), tag_ids: Iterable[int] = ()
) -> TagEdit:
    """Tag the assets with the named tags (created as needed) and the tags by id, in one
    transaction; returns the links it created (what an undo drops)."""
    names, tag_ids = list(names), list(tag_ids)
    async with world.session() as session:
        edit = TagEdit(())
        if names:
            edit = await tag_service.add_tags(session, entity_ids, names)
        if tag_ids:
            more = await tag_service.add_tag_ids(session, entity_ids, tag_ids)
            edit = TagEdit(edit.links + more.links)
        await session.commit()
    return _changed(world, edit)


async def remove_tag_ids(world: World, entity_ids: Sequence[int], tag_ids: Iterable[int]) -> TagEdit:
    """Untag the assets; returns the links it removed (what an undo restores)."""
    async with world.session() as session:
        edit = await tag_service.remove_tag_ids(session, entity_ids, tag_ids)
        await session.commit()
    return _changed(world, edit)


async def undo_edit(world: World, edit: TagEdit, *, removal: bool) -> None:
    """Revert exactly the links an edit changed: restore what a removal took, drop what an addition
    made."""
    async with world.session() as session:
        if removal:
            await tag_service.restore_links(session, edit)
        else:
            await tag_service.drop_links(session, edit)
        await session.commit()
    _changed(world, edit)


ResultEdit = AddedOverResult | RemovedOverResult


async def add_tags_to_result(
    world: World, scope: ResultScope, names: Iterable[str] = (), tag_ids: Iterable[int] = ()
) -> AddedOverResult:
    """Tag every asset of the result in SQL, in one transaction (the ids are never listed); raises
    QueryError for a bad query. Returns what `undo_result_edit` reverts."""
    async with world.session() as session:
        edit = await result_edits.add_over_result(
            session, scope.query, excluded=scope.excluded, names=names, tag_ids=tag_ids
        )
        await session.commit()
    if edit.count:
        world.notify_changed(WorldChanged.of((), TAGS))
    return edit


async def remove_tags_from_result(
    world: World, scope: ResultScope, tag_ids: Iterable[int]
) -> RemovedOverResult:
    """Untag every asset of the result, in one transaction; returns what an undo puts back."""
    async with world.session() as session:
        edit = await result_edits.remove_over_result(session, scope.query, tag_ids, excluded=scope.excluded)
        await session.commit()
    if edit.count:
        world.notify_changed(WorldChanged.of((), TAGS))
    return edit


async def undo_result_edit(world: World, edit: ResultEdit) -> None:
    async with world.session() as session:
        if isinstance(edit, AddedOverResult):
            await result_edits.undo_added(session, edit)
        else:
            await result_edits.undo_removed(session, edit)
        await session.commit()
    world.notify_changed(WorldChanged.of((), TAGS))


async def _require_assets(session: AsyncSession, entity_ids: Sequence[int]) -> None:
    from sqlalchemy import select

    from dam_desktop.models.files import FilePropertiesComponent as fp

    found = set((await session.scalars(select(fp.entity_id).where(fp.entity_id.in_(entity_ids)))).all())
    missing = [i for i in entity_ids if i not in found]
    if missing:
        raise TagError("no asset with id " + ", ".join(map(str, missing)))


async def edit_assets(
    world: World,
    names: Sequence[str],
    *,
    add: bool,
    ids: Sequence[int] | None = None,
    query: str | None = None,
) -> int:
    """Add (or remove) the named tags on the assets `ids`, or on every match of the tag `query`;
    one transaction whatever their number. Returns the links created or removed."""
    for name in names:
        tag_service.normalize_tag_name(name)
    async with world.session() as session:
        changed_ids: set[int] = set()
        if ids is not None:
            await _require_assets(session, ids)
            edit = await (tag_service.add_tags if add else tag_service.remove_tags)(session, ids, names)
            changed, changed_ids = len(edit), {e for e, _, _ in edit.links}
        elif add:
            changed = await search_service.add_tags_to_query(session, query or "", list(names))
        else:
            changed = await search_service.remove_tags_from_query(session, query or "", list(names))
        await session.commit()
    if changed:
        world.notify_changed(WorldChanged.of(changed_ids, TAGS))
    return changed


# --- tags themselves ---------------------------------------------------------------------------


async def _tag_id(session: AsyncSession, tag: int | str, *, create: bool = False) -> int:
    if isinstance(tag, int):
        return tag
    if create:
        return await tag_service.get_or_create_tag_concept(session, tag)
    return await tag_service.require_tag(session, tag)


async def _tags_edited(world: World, session: AsyncSession) -> None:
    await session.commit()
    world.notify_changed(WorldChanged.of((), TAGS))


async def rename_tag(world: World, tag: int | str, new_name: str) -> str:
    """Returns the new name as stored (normalised)."""
    async with world.session() as session:
        await tag_service.rename_tag(session, await _tag_id(session, tag), new_name)
        await _tags_edited(world, session)
    return tag_service.normalize_tag_name(new_name)


async def merge_tags(world: World, source: int | str, target: int | str) -> None:
    """Fold `source` into `target` (its links move; its name becomes an alias)."""
    async with world.session() as session:
        source_id = await _tag_id(session, source)
        await tag_service.merge_tags(session, source_id, await _tag_id(session, target))
        await _tags_edited(world, session)


async def delete_tag(world: World, tag: int | str) -> None:
    async with world.session() as session:
        await tag_service.delete_tag(session, await _tag_id(session, tag))
        await _tags_edited(world, session)


async def add_alias(world: World, tag: int | str, alias: str) -> None:
    async with world.session() as session:
        await tag_service.add_alias(session, await _tag_id(session, tag), alias)
        await _tags_edited(world, session)


async def remove_alias(world: World, alias: str) -> bool:
    async with world.session() as session:
        removed = await tag_service.remove_alias(session, alias)
        await _tags_edited(world, session)
    return removed


async def add_parent(world: World, child: int | str, parent: int | str) -> None:
    """Make `child` imply `parent` (named tags are created as needed)."""
    async with world.session() as session:
        child_id = await _tag_id(session, child, create=True)
        await tag_service.add_parent(session, child_id, await _tag_id(session, parent, create=True))
        await _tags_edited(world, session)


async def remove_parent(world: World, child: int | str, parent: int | str) -> bool:
    async with world.session() as session:
        removed = await tag_service.remove_parent(
            session, await _tag_id(session, child), await _tag_id(session, parent)
        )
        await _tags_edited(world, session)
    return removed


def normalize_tag_name(name: str) -> str:
    """The name as the library stores it (trimmed, lower-case, inner spaces collapsed); raises
    TagNameError, with a message for people, when it cannot be a tag's name. Needs no database:
    the window checks names while they are typed."""
    return tag_service.normalize_tag_name(name)
