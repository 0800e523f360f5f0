"""The library trash: removing assets keeps them restorable until the trash is emptied.

Removing an asset moves its managed copies from `files/...` to `trash/files/...` and adds a
`TrashedComponent` recording what moved; restoring moves them back and drops the component.
Referenced files are never touched: they belong to the user, the library only forgets them.
Only `empty_trash` deletes anything, and only what sits in the trash.

Every path comes from a database row, which may have been tampered with: each goes through
`safe_paths.inside` and one that would leave `files/` or `trash/files/` (or pass a symbolic link) is
left alone and reported in `TrashResult.refused`, never moved or deleted.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import STORAGE_MANAGED, LibraryPaths
from dam_desktop.models.core.entity import Entity
from dam_desktop.models.files.content_hash_component import ContentHashSHA256Component
from dam_desktop.models.files.file_location_component import FileLocationComponent
from dam_desktop.models.files.trashed_component import TrashedComponent
from dam_desktop.utils.safe_paths import UnsafePathError, contained, inside


@dataclass(frozen=True)
class TrashResult:
    entity_ids: list[int]
    files_moved: int
    # "path: reason" for each file left alone because its path would lead outside the library.
    refused: list[str] = field(default_factory=list)


def _store_relative(library_relative: str) -> str:
    """The part below `files/` of a managed copy's stored path; refuses any other place."""
    head, sep, rest = library_relative.partition("/")
    if head != "files" or not sep:
        raise UnsafePathError(library_relative, "is not a stored copy under files/, refused")
    return rest


def stored_copy(paths: LibraryPaths, library_relative: str) -> Path:
    """The managed copy a row names, checked to stay inside `files/`."""
    return inside(paths.files_dir, _store_relative(library_relative))


def trashed_copy(paths: LibraryPaths, library_relative: str) -> Path:
    """Where the trash keeps that copy, checked to stay inside `trash/files/`."""
    return inside(paths.trash_dir / "files", _store_relative(library_relative))


def _moved_files(component: TrashedComponent, refused: list[str]) -> list[str]:
    try:
        moved = json.loads(component.moved_files or "[]")
    except ValueError:
        moved = None
    if not isinstance(moved, list) or not all(isinstance(item, str) for item in moved):
        refused.append(f"trash entry of asset {component.entity_id}: unreadable list of files, left alone")
        return []
    return moved


def _move(source: Path, target: Path) -> bool:
    if not os.path.lexists(source):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(source, target)  # a rename within the library folder; a copy only across devices
    return True


async def _managed_paths(session: AsyncSession, entity_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {eid: [] for eid in entity_ids}
    rows = await session.execute(
        select(FileLocationComponent.entity_id, FileLocationComponent.path).where(
            FileLocationComponent.entity_id.in_(entity_ids),
            FileLocationComponent.storage_type == STORAGE_MANAGED,
        )
    )
    for eid, path in rows:
        found[eid].append(path)
    return found


async def trashed_ids(session: AsyncSession, entity_ids: list[int]) -> set[int]:
    rows = await session.scalars(
        select(TrashedComponent.entity_id).where(TrashedComponent.entity_id.in_(entity_ids))
    )
    return set(rows.all())


async def move_to_trash(session: AsyncSession, paths: LibraryPaths, entity_ids: list[int]) -> TrashResult:
    """Remove assets from the library into its trash. Commits; already trashed ids are skipped."""
    already = await trashed_ids(session, entity_ids)
    todo = [eid for eid in dict.fromkeys(entity_ids) if eid not in already]
    if not todo:
        return TrashResult([], 0)
    managed = await _managed_paths(session, todo)
    moved_back: list[tuple[Path, Path]] = []
    refused: list[str] = []
    try:
        for eid in todo:
            moved: list[str] = []
            for relative in managed[eid]:
                try:
                    source, target = stored_copy(paths, relative), trashed_copy(paths, relative)
                except UnsafePathError as exc:
                    refused.append(str(exc))
                    continue
                if _move(source, target):
                    moved_back.append((target, source))
                    moved.append(relative)
            session.add(_trashed(eid, moved))
        await session.commit()
    except BaseException:
        await session.rollback()
        for target, source in reversed(moved_back):
            _move(target, source)
        raise
    return TrashResult(todo, len(moved_back), refused)


def _trashed(entity_id: int, moved: list[str]) -> TrashedComponent:
    component = TrashedComponent(moved_files=json.dumps(moved) if moved else None)
    component.entity_id = entity_id
    return component


async def restore_from_trash(
    session: AsyncSession, paths: LibraryPaths, entity_ids: list[int]
) -> TrashResult:
    """Put trashed assets back in the library, moving their managed copies back. Commits."""
    rows = (
        await session.scalars(select(TrashedComponent).where(TrashedComponent.entity_id.in_(entity_ids)))
    ).all()
    restored: list[int] = []
    files = 0
    refused: list[str] = []
    for component in rows:
        for relative in _moved_files(component, refused):
            try:
                source, target = trashed_copy(paths, relative), stored_copy(paths, relative)
            except UnsafePathError as exc:
                refused.append(str(exc))
                continue
            if _move(source, target):
                files += 1
        restored.append(component.entity_id)
    if restored:
        await session.execute(delete(TrashedComponent).where(TrashedComponent.entity_id.in_(restored)))
        await session.commit()
    return TrashResult(restored, files, refused)


async def empty_trash(
    session: AsyncSession, paths: LibraryPaths, entity_ids: list[int] | None = None
) -> TrashResult:
    """Delete trashed assets for good (all of the trash, or only `entity_ids`). Commits.

    Their trashed managed copies and their thumbnails are deleted; referenced files stay where
    the user keeps them.
    """
    stmt = select(TrashedComponent)
    if entity_ids is not None:
        stmt = stmt.where(TrashedComponent.entity_id.in_(entity_ids))
    rows = (await session.scalars(stmt)).all()
    ids = [component.entity_id for component in rows]
    if not ids:
        return TrashResult([], 0)
    hashes = (
        await session.scalars(
            select(ContentHashSHA256Component.hash_value).where(ContentHashSHA256Component.entity_id.in_(ids))
        )
    ).all()
    refused: list[str] = []
    doomed: list[Path] = []
    for component in rows:
        for relative in _moved_files(component, refused):
            try:
                doomed.append(trashed_copy(paths, relative))
            except UnsafePathError as exc:
                refused.append(str(exc))
    await session.execute(delete(Entity).where(Entity.id.in_(ids)))
    await session.commit()
    files = 0
    for path in doomed:
        if path.is_file():
            path.unlink()
            files += 1
    for hash_value in hashes:
        sha_hex = bytes(hash_value).hex()
        for thumbnail in (paths.thumbnail_path(sha_hex), paths.large_thumbnail_path(sha_hex)):
            try:
                contained(paths.root, thumbnail).unlink(missing_ok=True)
            except UnsafePathError as exc:
                refused.append(str(exc))
    return TrashResult(ids, files, refused)
