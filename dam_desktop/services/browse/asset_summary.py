"""The facts a tile, a details pane or the CLI shows about assets, read for many assets in one query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.sql_dialect import decoded_json, json_objects_aggregate
from dam_desktop.models.core.entity import Entity
from dam_desktop.models.files import (
    ContentHashSHA256Component,
    FileLocationComponent,
    FilePropertiesComponent,
)
from dam_desktop.models.media import (
    AudioPropertiesComponent,
    ImagePropertiesComponent,
    VideoPropertiesComponent,
)
from dam_desktop.services.store.stored_paths import location_file


@dataclass(frozen=True)
class AssetLocation:
    storage_type: str  # "managed" or "reference"
    # As stored: library-relative for managed copies, absolute (maybe `bytes:`-encoded) for references.
    path: str
    source_path: str | None

    def file(self, paths: LibraryPaths) -> Path:
        return location_file(paths, self.storage_type, self.path)


@dataclass(frozen=True)
class AssetSummary:
    entity_id: int
    filename: str
    asset_type: str
    size_bytes: int
    mime_type: str
    file_extension: str
    sha256_hex: str | None
    width: int | None
    height: int | None
    duration_seconds: float | None
    created_at: datetime | None
    locations: list[AssetLocation] = field(default_factory=list)


def _locations(raw: object) -> list[AssetLocation]:
    if not raw:
        return []
    return [
        AssetLocation(storage_type=item["storage_type"], path=item["path"], source_path=item["source_path"])
        for item in decoded_json(raw) or []
    ]


async def read_asset_summaries(session: AsyncSession, entity_ids: Sequence[int]) -> dict[int, AssetSummary]:
    """Summaries of the given assets (ids that are not assets are left out), in one SQL statement."""
    ids = list(entity_ids)
    if not ids:
        return {}
    fp = FilePropertiesComponent
    loc = FileLocationComponent
    locations = (
        select(
            json_objects_aggregate(
                session, {"storage_type": loc.storage_type, "path": loc.path, "source_path": loc.source_path}
            )
        )
        .where(loc.entity_id == fp.entity_id)
        .scalar_subquery()
    )
    stmt = (
        select(
            fp.entity_id,
            fp.original_filename,
            fp.asset_type,
            fp.file_size_bytes,
            fp.mime_type,
            fp.file_extension,
            ContentHashSHA256Component.hash_value,
            ImagePropertiesComponent.width,
            ImagePropertiesComponent.height,
            func.coalesce(
                AudioPropertiesComponent.duration_seconds, VideoPropertiesComponent.duration_seconds
            ),
            Entity.created_at,
            locations,
        )
        .join(Entity, Entity.id == fp.entity_id)
        .outerjoin(ContentHashSHA256Component, ContentHashSHA256Component.entity_id == fp.entity_id)
        .outerjoin(ImagePropertiesComponent, ImagePropertiesComponent.entity_id == fp.entity_id)
        .outerjoin(AudioPropertiesComponent, AudioPropertiesComponent.entity_id == fp.entity_id)
        .outerjoin(VideoPropertiesComponent, VideoPropertiesComponent.entity_id == fp.entity_id)
        .where(fp.entity_id.in_(ids))
    )
    summaries: dict[int, AssetSummary] = {}
    for row in (await session.execute(stmt)).all():
        summaries[row[0]] = AssetSummary(
            entity_id=row[0],
            filename=row[1],
            asset_type=row[2],
            size_bytes=row[3],
            mime_type=row[4],
            file_extension=row[5],
            sha256_hex=row[6].hex() if row[6] is not None else None,
            width=row[7],
            height=row[8],
            duration_seconds=row[9],
            created_at=row[10],
            locations=_locations(row[11]),
        )
    return summaries


async def thumbnail_paths_for(
    session: AsyncSession, paths: LibraryPaths, entity_ids: Sequence[int]
) -> dict[int, Path]:
    """Where each asset's thumbnail is (or will be, once made), by its content hash; one query."""
    ids = list(entity_ids)
    if not ids:
        return {}
    stmt = select(ContentHashSHA256Component.entity_id, ContentHashSHA256Component.hash_value).where(
        ContentHashSHA256Component.entity_id.in_(ids)
    )
    return {eid: paths.thumbnail_path(sha.hex()) for eid, sha in (await session.execute(stmt)).all()}
