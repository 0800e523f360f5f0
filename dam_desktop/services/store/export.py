"""Export: copies of assets' files written into a folder the user chose, under their original names."""

from __future__ import annotations

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


def export_copies(files: Sequence[tuple[Path, str]], folder: Path) -> list[Path]:
    """Copy files into `folder` under their original names, never overwriting: "name (2).ext".

    Only the last part of a name is used, so a stored name with folders in it stays in `folder`.
    """
    written: list[Path] = []
    for source, stored_name in files:
        name = Path(stored_name).name or "unnamed"
        target = folder / name
        stem, suffix = Path(name).stem, Path(name).suffix
        n = 2
        while target.exists() or target.is_symlink():
            target = folder / f"{stem} ({n}){suffix}"
            n += 1
        shutil.copy2(source, target)
        written.append(target)
    return written
