"""What the browser shows: the ids of the current result, sorted, and the facts about each tile.

The grid holds only entity ids; everything else (names, thumbnail paths, properties) is fetched
for the few rows on screen. Listing ids is one SQL statement read straight into a numpy array so
a library of a million assets lists in well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import LibraryPaths
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.storage import location_file

IdArray = npt.NDArray[np.int64]


# The grid's orders are search's: one enum, one ORDER BY, whichever fills the grid.
BrowseSort = SortKey

_NOT_TRASHED = "NOT EXISTS (SELECT 1 FROM component_trashed t WHERE t.entity_id = fp.entity_id)"
_TRASHED = "EXISTS (SELECT 1 FROM component_trashed t WHERE t.entity_id = fp.entity_id)"


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def _fetch_ids(session: AsyncSession, sql: str, params: dict[str, Any]) -> IdArray:
    """Ids from `sql`, in its order, as one comma-joined string: a single row to convert instead
    of one Python row object per asset (3-5x faster at 100k). SQLite keeps a subquery's ORDER BY
    for group_concat over it."""
    joined = await session.scalar(text(f"SELECT group_concat(entity_id) FROM ({sql})"), params)
    if not joined:
        return np.empty(0, dtype=np.int64)
    return np.fromstring(joined, dtype=np.int64, sep=",")


async def asset_ids(
    session: AsyncSession,
    sort: SortKey = SortKey.ADDED,
    *,
    descending: bool = True,
    name_contains: str | None = None,
    trashed: bool = False,
) -> IdArray:
    """Ids of all assets (or of the trash), in the given order; optionally filtered by file name."""
    if sort is SortKey.ADDED and not trashed and not name_contains:
        return await _assets_by_date_added(session, descending=descending)
    where = [_TRASHED if trashed else _NOT_TRASHED]
    params: dict[str, Any] = {}
    if name_contains:
        where.append("fp.original_filename LIKE :pattern ESCAPE '\\'")
        params["pattern"] = f"%{_escape_like(name_contains)}%"
    sql = (
        "SELECT fp.entity_id FROM component_file_properties fp JOIN entities e ON e.id = fp.entity_id "
        f"WHERE {' AND '.join(where)} ORDER BY {sort.order_by(descending)}"
    )
    return await _fetch_ids(session, sql, params)


async def _joined_ids(session: AsyncSession, sql: str) -> IdArray:
    joined = await session.scalar(text(f"SELECT group_concat(id) FROM ({sql})"))
    return np.fromstring(joined, dtype=np.int64, sep=",") if joined else np.empty(0, dtype=np.int64)


async def _assets_by_date_added(session: AsyncSession, *, descending: bool) -> IdArray:
    """The default order without a per-row join: walk the created_at index, then keep assets that
    are not trashed with numpy (2x faster than the join at 1M assets)."""
    direction = "DESC" if descending else "ASC"
    order = await _joined_ids(
        session, f"SELECT id FROM entities ORDER BY created_at {direction}, id {direction}"
    )
    assets = await _joined_ids(session, "SELECT entity_id AS id FROM component_file_properties")
    trashed = await _joined_ids(session, "SELECT entity_id AS id FROM component_trashed")
    keep = np.isin(order, assets, assume_unique=True)
    if len(trashed):
        keep &= ~np.isin(order, trashed, assume_unique=True)
    return order[keep]


@dataclass(frozen=True)
class LibraryCounts:
    assets: int
    images: int
    sounds: int
    trashed: int


async def library_counts(session: AsyncSession) -> LibraryCounts:
    """One pass over the file properties, grouped by type."""
    rows = await session.execute(
        text(
            "SELECT fp.asset_type, count(*), count(t.entity_id) FROM component_file_properties fp "
            "LEFT JOIN component_trashed t ON t.entity_id = fp.entity_id GROUP BY fp.asset_type"
        )
    )
    live: dict[str, int] = {}
    trashed = 0
    for asset_type, total, in_trash in rows:
        live[asset_type] = int(total) - int(in_trash)
        trashed += int(in_trash)
    return LibraryCounts(
        assets=sum(live.values()), images=live.get("image", 0), sounds=live.get("audio", 0), trashed=trashed
    )


@dataclass(frozen=True)
class TileInfo:
    """What a grid tile and its context menu need: a name, a type and where the bytes are."""

    entity_id: int
    filename: str
    asset_type: str
    sha256_hex: str
    thumbnail_path: Path
    file_path: Path | None  # the first readable-looking location; managed copies first


def resolve_location(paths: LibraryPaths, storage_type: str, path: str) -> Path:
    return location_file(paths, storage_type, path)


async def tile_infos(
    session: AsyncSession, paths: LibraryPaths, entity_ids: list[int]
) -> dict[int, TileInfo]:
    """Tile facts for a batch of ids (one query for properties, one for locations)."""
    if not entity_ids:
        return {}
    params = {f"i{n}": eid for n, eid in enumerate(entity_ids)}
    placeholders = ", ".join(f":{key}" for key in params)
    props = await session.execute(
        text(
            "SELECT fp.entity_id, fp.original_filename, fp.asset_type, h.hash_value "
            "FROM component_file_properties fp "
            "LEFT JOIN component_content_hash_sha256 h ON h.entity_id = fp.entity_id "
            f"WHERE fp.entity_id IN ({placeholders})"
        ),
        params,
    )
    locations = await session.execute(
        text(
            "SELECT entity_id, storage_type, path FROM component_file_location "
            f"WHERE entity_id IN ({placeholders}) "
            "ORDER BY entity_id, CASE storage_type WHEN 'managed' THEN 0 ELSE 1 END, id"
        ),
        params,
    )
    first_location: dict[int, Path] = {}
    for eid, storage_type, path in locations:
        first_location.setdefault(int(eid), resolve_location(paths, storage_type, path))
    infos: dict[int, TileInfo] = {}
    for eid, filename, asset_type, hash_value in props:
        sha_hex = bytes(hash_value).hex() if hash_value is not None else ""
        infos[int(eid)] = TileInfo(
            entity_id=int(eid),
            filename=filename,
            asset_type=asset_type or "other",
            sha256_hex=sha_hex,
            thumbnail_path=paths.thumbnail_path(sha_hex) if sha_hex else Path(),
            file_path=first_location.get(int(eid)),
        )
    return infos


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
                "ip.camera_model, ap.duration_seconds, ap.sample_rate, ap.channels, ap.audio_format, "
                "t.trashed_at "
                "FROM component_file_properties fp JOIN entities e ON e.id = fp.entity_id "
                "LEFT JOIN component_content_hash_sha256 h ON h.entity_id = fp.entity_id "
                "LEFT JOIN component_image_properties ip ON ip.entity_id = fp.entity_id "
                "LEFT JOIN component_audio_properties ap ON ap.entity_id = fp.entity_id "
                "LEFT JOIN component_trashed t ON t.entity_id = fp.entity_id "
                "WHERE fp.entity_id = :eid"
            ),
            {"eid": entity_id},
        )
    ).first()
    if row is None:
        return None
    locations = [
        AssetLocation(storage_type, resolve_location(paths, storage_type, path), source_path)
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
    )
