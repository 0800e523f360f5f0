"""What the browser shows: the ids of the current result, sorted, and the facts about each tile.

The grid holds only entity ids; everything else (names, thumbnail paths, properties) is fetched
for the few rows on screen. Listing ids is one SQL statement read straight into a numpy array so
a library of a million assets lists in well under a second. The statements live in `browse_sql`,
which the window's start-up read shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.sql_dialect import POSTGRESQL, dialect_name, portable
from dam_desktop.services.browse.browse_sql import (
    COUNTS_SQL,
    COUNTS_SQL_POSTGRESQL,
    IdArray,
    LibraryCounts,
    TileInfo,
    counts_from_rows,
    id_parameters,
    ids_from_joined,
    joined_ids_sql,
    listing,
    name_pattern,
    tile_infos_from_rows,
    tile_locations_sql,
    tile_properties_sql,
)
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.store.stored_paths import location_file

# The grid's orders are search's: one enum, one ORDER BY, whichever fills the grid.
BrowseSort = SortKey

__all__ = [
    "AssetDetails",
    "AssetLocation",
    "BrowseSort",
    "IdArray",
    "LibraryCounts",
    "TileInfo",
    "asset_details",
    "asset_ids",
    "library_counts",
    "tile_infos",
]


def without(order: IdArray, doomed: IdArray) -> IdArray:
    """`order` minus the ids in `doomed`, order kept."""
    if not len(doomed):
        return order
    return order[~np.isin(order, doomed)]


async def _fetch_ids(session: AsyncSession, sql: str, params: dict[str, Any] | None = None) -> IdArray:
    joined, bound = portable(session, joined_ids_sql(sql, dialect_name(session)), params or {})
    return ids_from_joined(await session.scalar(text(joined), bound))


async def asset_ids(
    session: AsyncSession,
    sort: SortKey = SortKey.ADDED,
    *,
    descending: bool = True,
    name_contains: str | None = None,
    trashed: bool = False,
) -> IdArray:
    """Ids of all assets (or of the trash), in the given order; optionally filtered by file name."""
    plan = listing(sort, descending, trashed=trashed, name_filter=bool(name_contains))
    ids = await _fetch_ids(session, plan.sql, dict(name_pattern(name_contains)) if name_contains else None)
    return without(ids, await _fetch_ids(session, plan.minus_sql)) if plan.minus_sql else ids


async def library_counts(session: AsyncSession) -> LibraryCounts:
    """One pass over the file properties, grouped by type."""
    sql = COUNTS_SQL_POSTGRESQL if dialect_name(session) == POSTGRESQL else COUNTS_SQL
    return counts_from_rows(await session.execute(text(sql)))


async def tile_infos(
    session: AsyncSession, paths: LibraryPaths, entity_ids: list[int]
) -> dict[int, TileInfo]:
    """Tile facts for a batch of ids (one query for properties, one for locations)."""
    if not entity_ids:
        return {}
    params, placeholders = id_parameters(entity_ids)
    properties = await session.execute(text(tile_properties_sql(placeholders)), params)
    locations = await session.execute(text(tile_locations_sql(placeholders)), params)
    return tile_infos_from_rows(paths, properties, locations)


@dataclass(frozen=True)
class AssetLocation:
    storage_type: str
    path: Path
    source_path: str | None


@dataclass(frozen=True)
class AssetDetails:
    """Everything the inspector's properties list shows about one asset."""

    entity_id: int
    filename: str
    asset_type: str
    mime_type: str
    extension: str
    size_bytes: int
    sha256_hex: str
    added_at: datetime | None
    locations: list[AssetLocation] = field(default_factory=list)
    width: int | None = None
    height: int | None = None
    exif_orientation: int | None = None
    taken_at: datetime | None = None
    camera: str | None = None
    duration_seconds: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    audio_format: str | None = None
    trashed_at: datetime | None = None
    # Sounds' tags: title, artist, album, genre, BPM, key (what the file carried).
    audio_tags: dict[str, str] = field(default_factory=dict)
    frame_rate: float | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    page_count: int | None = None
    document_title: str | None = None

    @property
    def file_path(self) -> Path | None:
        return self.locations[0].path if self.locations else None


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


async def asset_details(session: AsyncSession, paths: LibraryPaths, entity_id: int) -> AssetDetails | None:
    row = (
        await session.execute(
            text(
                "SELECT fp.original_filename, fp.asset_type, fp.mime_type, fp.file_extension, "
                "fp.file_size_bytes, h.hash_value, e.created_at, "
                "ip.width, ip.height, ip.exif_orientation, ip.exif_datetime, ip.camera_make, "
                "ip.camera_model, COALESCE(ap.duration_seconds, vp.duration_seconds), ap.sample_rate, "
                "ap.channels, ap.audio_format, t.trashed_at, "
                "ap.title, ap.artist, ap.album, ap.genre, ap.bpm, ap.musical_key, "
                "vp.frame_rate, vp.video_codec, vp.audio_codec, dp.page_count, dp.title "
                "FROM component_file_properties fp JOIN entities e ON e.id = fp.entity_id "
                "LEFT JOIN component_content_hash_sha256 h ON h.entity_id = fp.entity_id "
                "LEFT JOIN component_image_properties ip ON ip.entity_id = fp.entity_id "
                "LEFT JOIN component_audio_properties ap ON ap.entity_id = fp.entity_id "
                "LEFT JOIN component_trashed t ON t.entity_id = fp.entity_id "
                "LEFT JOIN component_video_properties vp ON vp.entity_id = fp.entity_id "
                "LEFT JOIN component_document_properties dp ON dp.entity_id = fp.entity_id "
                "WHERE fp.entity_id = :eid"
            ),
            {"eid": entity_id},
        )
    ).first()
    if row is None:
        return None
    locations = [
        AssetLocation(storage_type, location_file(paths, storage_type, path), source_path)
        for storage_type, path, source_path in await session.execute(
            text(
                "SELECT storage_type, path, source_path FROM component_file_location "
                "WHERE entity_id = :eid ORDER BY CASE storage_type WHEN 'managed' THEN 0 ELSE 1 END, id"
            ),
            {"eid": entity_id},
        )
    ]
    camera = " ".join(part for part in (row[11], row[12]) if part) or None
    return AssetDetails(
        entity_id=entity_id,
        filename=row[0],
        asset_type=row[1] or "other",
        mime_type=row[2] or "",
        extension=row[3] or "",
        size_bytes=int(row[4] or 0),
        sha256_hex=bytes(row[5]).hex() if row[5] is not None else "",
        added_at=_as_datetime(row[6]),
        locations=locations,
        width=row[7],
        height=row[8],
        exif_orientation=row[9],
        taken_at=_as_datetime(row[10]),
        camera=camera,
        duration_seconds=row[13],
        sample_rate=row[14],
        channels=row[15],
        audio_format=row[16],
        trashed_at=_as_datetime(row[17]),
        audio_tags=_audio_tags(row[18:24]),
        frame_rate=row[24],
        video_codec=row[25],
        audio_codec=row[26],
        page_count=row[27],
        document_title=row[28],
    )


AUDIO_TAG_NAMES = ("Title", "Artist", "Album", "Genre", "BPM", "Key")


def _audio_tags(values: Sequence[Any]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for name, value in zip(AUDIO_TAG_NAMES, values, strict=True):
        if value is None or value == "":
            continue
        tags[name] = f"{value:g}" if isinstance(value, float) else str(value)
    return tags
