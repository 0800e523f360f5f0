"""Export: copies of assets' files written into a folder the user chose, under their original names.

The names come from the database (`FilePropertiesComponent.original_filename`), so they are
checked like any other path from a row: a name that is not a plain file name (`../x.png`,
`/abs/x.png`) is refused with its reason. Nothing is ever written through a symbolic link already
sitting in the folder, dangling or not: a name any entry occupies, a link included, is taken, and
`create_new` opens with O_EXCL | O_NOFOLLOW so a link appearing meanwhile is not followed either.
An existing file is never overwritten: the copy becomes "name (2).ext".
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import LibraryPaths
from dam_desktop.models.files import (
    STORAGE_MANAGED,
    FileLocationComponent,
    FilePropertiesComponent,
    TrashedComponent,
)
from dam_desktop.services.store.stored_paths import location_file
from dam_desktop.utils.safe_paths import UnsafePathError, create_new, file_name


@dataclass(frozen=True)
class ExportSource:
    entity_id: int
    path: Path
    name: str  # the original file name, written as is in the destination


@dataclass
class ExportPlan:
    sources: list[ExportSource] = field(default_factory=list)
    unreadable: dict[int, str] = field(default_factory=dict)  # entity id -> why it cannot be exported


async def export_sources(session: AsyncSession, paths: LibraryPaths, entity_ids: Sequence[int]) -> ExportPlan:
    """Each live asset's readable file (its managed copy first) and its original name; one query.

    Trashed and unknown ids are left out of both the sources and the reasons.
    """
    plan = ExportPlan()
    if not entity_ids:
        return plan
    loc, props = FileLocationComponent, FilePropertiesComponent
    rows = (
        await session.execute(
            select(loc.entity_id, loc.storage_type, loc.path, props.original_filename)
            .join(props, props.entity_id == loc.entity_id)
            .where(loc.entity_id.in_(list(entity_ids)))
            .where(~select(TrashedComponent.id).where(TrashedComponent.entity_id == loc.entity_id).exists())
            .order_by(loc.entity_id, loc.id)
        )
    ).all()
    options: dict[int, tuple[str, list[Path]]] = {}
    for entity_id, storage_type, stored, name in rows:
        _name, candidates = options.setdefault(entity_id, (name, []))
        path = location_file(paths, storage_type, stored)
        if storage_type == STORAGE_MANAGED:
            candidates.insert(0, path)
        else:
            candidates.append(path)
    for entity_id in dict.fromkeys(entity_ids):
        if entity_id not in options:
            continue
        name, candidates = options[entity_id]
        existing = next((p for p in candidates if p.is_file()), None)
        if existing is None:
            plan.unreadable[entity_id] = f"file not found: {candidates[0]}"
        else:
            plan.sources.append(ExportSource(entity_id, existing, name))
    return plan


# Beyond this many "name (n).ext" the folder is full of that name; say so instead of looping on.
MAX_NAME_TRIES = 10_000


@dataclass(frozen=True)
class Refusal:
    index: int  # position in the files given to `export_copies`
    name: str  # the file name as the library knows it
    reason: str  # why it was not exported


@dataclass
class ExportResult:
    written: list[Path] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def _free_target(folder: Path, name: str) -> Path:
    """The first of name, "name (2).ext", … that nothing (not even a dangling link) occupies."""
    target = folder / file_name(name)
    stem, suffix = Path(name).stem, Path(name).suffix
    n = 2
    while os.path.lexists(target):
        if n > MAX_NAME_TRIES:
            raise FileExistsError(f"{MAX_NAME_TRIES} files named like {name} already in {folder}")
        target = folder / file_name(f"{stem} ({n}){suffix}")
        n += 1
    return target


def _copy_new(source: Path, folder: Path, name: str) -> Path:
    while True:
        target = _free_target(folder, name)
        try:
            fd = create_new(target)
        except FileExistsError:  # taken since we looked: pick the next free name
            continue
        break
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            shutil.copyfileobj(src, out, 1024 * 1024)
        shutil.copystat(source, target)
    except BaseException:
        with contextlib.suppress(OSError):
            target.unlink()
        raise
    return target


def export_copies(files: Sequence[tuple[Path, str]], folder: Path) -> ExportResult:
    """Copy each (source file, file name) into `folder`; a refused or failed file gets its reason."""
    result = ExportResult()
    for index, (source, name) in enumerate(files):
        try:
            result.written.append(_copy_new(source, folder, name))
        except UnsafePathError as exc:
            result.refused.append(Refusal(index, name, exc.reason))
        except OSError as exc:
            result.refused.append(Refusal(index, name, exc.strerror or str(exc)))
    return result
