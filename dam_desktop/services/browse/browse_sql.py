"""The browser's SQL and what its rows become, shared by the world and the start-up read.

`browse_service` runs these statements through the world's async session; `library_snapshot`
runs the same ones with plain sqlite3 before the world (and SQLAlchemy) has loaded, so the first
grid the window paints is exactly the one the world would list. Nothing here imports SQLAlchemy.

Every statement takes named parameters (`:name`), which both drivers accept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from dam_desktop.core.library import LibraryPaths
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.store.stored_paths import location_file

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# What the world's listings return. Only a type here: this module (and so the window's first
# paint) does not load numpy.
IdArray: TypeAlias = "npt.NDArray[np.int64]"

NOT_TRASHED = "NOT EXISTS (SELECT 1 FROM component_trashed t WHERE t.entity_id = fp.entity_id)"
TRASHED = "EXISTS (SELECT 1 FROM component_trashed t WHERE t.entity_id = fp.entity_id)"

# Entity ids grow in the order assets are added, so "date added" is the id order: the covering
# index on the file properties' entity_id yields it without a sort.
ASSETS_BY_ID_SQL = "SELECT entity_id FROM component_file_properties ORDER BY entity_id {d}"
TRASHED_IDS_SQL = "SELECT entity_id FROM component_trashed"


def joined_ids_sql(sql: str, dialect: str = "sqlite") -> str:
    """`sql`'s first column, in its order, as one comma-joined string: a single row to convert
    instead of one Python row object per asset (3-5x faster at 100k). SQLite keeps a subquery's
    ORDER BY for group_concat over it; PostgreSQL keeps it in an ARRAY(subquery)."""
    if dialect == "postgresql":
        return f"SELECT array_to_string(ARRAY({sql}), ',')"
    return f"SELECT group_concat(entity_id) FROM ({sql})"


def ids_from_joined(joined: str | None) -> IdArray:
    """`joined_ids_sql`'s value as a numpy array (numpy is imported here, on first use)."""
    import numpy as np

    if not joined:
        return np.empty(0, dtype=np.int64)
    return np.fromstring(joined, dtype=np.int64, sep=",")


def escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def listing_sql(sort: SortKey, descending: bool, *, trashed: bool, name_filter: bool) -> str:
    """Asset ids (column `entity_id`) of the library or the trash in `sort` order; with
    `name_filter`, only names matching the `:pattern` LIKE parameter (see `escape_like`)."""
    where = [TRASHED if trashed else NOT_TRASHED]
    if name_filter:
        where.append("fp.original_filename LIKE :pattern ESCAPE '\\'")
    return (
        "SELECT fp.entity_id FROM component_file_properties fp JOIN entities e ON e.id = fp.entity_id "
        f"WHERE {' AND '.join(where)} ORDER BY {sort.order_by(descending)}"
    )


@dataclass(frozen=True)
class Listing:
    """How to list a result: the ids `sql` selects (column `entity_id`), in its order, minus the
    ids `minus_sql` selects when it is set."""

    sql: str
    minus_sql: str | None = None


def listing(sort: SortKey, descending: bool, *, trashed: bool = False, name_filter: bool = False) -> Listing:
    """The library's (or the trash's) assets in `sort` order; with `name_filter`, only names
    matching the `:pattern` LIKE parameter (see `name_pattern`).

    The default view (date added, not the trash, no filter) reads every asset in id order from
    the covering index and drops the few trashed ones afterwards, instead of probing the trash
    per row (2x faster at 1M assets)."""
    if sort is SortKey.ADDED and not trashed and not name_filter:
        return Listing(ASSETS_BY_ID_SQL.format(d="DESC" if descending else "ASC"), TRASHED_IDS_SQL)
    return Listing(listing_sql(sort, descending, trashed=trashed, name_filter=name_filter))


# --- counts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryCounts:
    assets: int
    images: int
    sounds: int
    trashed: int
    videos: int = 0
    documents: int = 0  # PDFs
    fonts: int = 0


# Totals per type from the asset_type index alone, plus the trashed ones per type, walked from
# the (small) trash: CROSS JOIN pins that order. Two small scans instead of probing the trash
# for every asset (5x faster at 100k and at 1M).
COUNTS_SQL = (
    "SELECT asset_type, count(*), 0 FROM component_file_properties GROUP BY asset_type "
    "UNION ALL "
    "SELECT fp.asset_type, 0, count(*) FROM component_trashed t "
    "CROSS JOIN component_file_properties fp ON fp.entity_id = t.entity_id GROUP BY fp.asset_type"
)
# PostgreSQL has no CROSS JOIN … ON (and plans the join order itself).
COUNTS_SQL_POSTGRESQL = COUNTS_SQL.replace("CROSS JOIN", "JOIN")


def counts_from_rows(rows: Iterable[Any]) -> LibraryCounts:
    """`COUNTS_SQL`'s rows (type, total, trashed) as the status bar's figures."""
    live: dict[str, int] = {}
    trashed = 0
    for asset_type, total, in_trash in rows:
        live[asset_type] = live.get(asset_type, 0) + int(total) - int(in_trash)
        trashed += int(in_trash)
    return LibraryCounts(
        assets=sum(live.values()),
        images=live.get("image", 0),
        sounds=live.get("audio", 0),
        trashed=trashed,
        videos=live.get("video", 0),
        documents=live.get("document", 0),
        fonts=live.get("font", 0),
    )


# --- tile facts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TileInfo:
    """What a grid tile and its context menu need: a name, a type and where the bytes are.

    The grid keeps these for the last thousands of tiles it showed, for as long as the window is
    open, so they hold strings and the library's one `LibraryPaths`, and make their `Path`s when
    asked (a thumbnail load, a drag, a menu): with four `Path` objects each they were 1.6 KB apiece
    (tracemalloc), 32 MB for the 20,000 kept then, in a window that must stay under 300 MB; now
    0.5 KB."""

    entity_id: int
    filename: str
    asset_type: str
    sha256_hex: str
    library: LibraryPaths
    location: str | None  # the first readable-looking location's file; managed copies first
    # What the content is, as an extension (the file's own when it fits, e.g. "jpeg"): a PNG
    # named .jpg has "png". The tile's badge shows it.
    extension: str = ""
    duration_seconds: float | None = None  # clips and sounds: shown on the tile
    animated: bool = False  # an animated GIF, WebP or PNG: the tile says so

    @property
    def thumbnail_path(self) -> Path:
        return self.library.thumbnail_path(self.sha256_hex) if self.sha256_hex else Path()

    @property
    def large_thumbnail_path(self) -> Path:
        """The sharper thumbnail for zooms above the usual one's size (it may not exist yet)."""
        return self.library.large_thumbnail_path(self.sha256_hex) if self.sha256_hex else Path()

    @property
    def scrub_strip_path(self) -> Path | None:
        """A clip's frames to show while the mouse crosses its tile."""
        if not self.sha256_hex or self.asset_type != "video":
            return None
        return self.library.scrub_strip_path(self.sha256_hex)

    @property
    def file_path(self) -> Path | None:
        return Path(self.location) if self.location is not None else None


# The lengths an `IN (...)` list of tile ids is padded to (with its last id again). Each length is
# a statement of its own, which SQLAlchemy compiles and keeps (500 of them per engine) and each
# connection prepares and keeps: with every length from 1 to 400 the window's memory grew through
# an hour of scrolling, 0.1-0.5 MB per new length.
ID_LIST_LENGTHS = (8, 32, 128, 400)


def id_parameters(entity_ids: Iterable[int]) -> tuple[dict[str, int], str]:
    """Named parameters for an `IN (...)` list, and the list's placeholders; a list up to the
    longest of `ID_LIST_LENGTHS` is padded to the next of them (repeating an id changes no match)."""
    ids = [int(eid) for eid in entity_ids]
    length = next((n for n in ID_LIST_LENGTHS if n >= len(ids)), len(ids))
    if ids:
        ids.extend([ids[-1]] * (length - len(ids)))
    params = {f"i{n}": eid for n, eid in enumerate(ids)}
    return params, ", ".join(f":{key}" for key in params)


def tile_properties_sql(placeholders: str) -> str:
    return (
        "SELECT fp.entity_id, fp.original_filename, fp.asset_type, h.hash_value, fp.file_extension, "
        "CASE fp.asset_type "
        "WHEN 'video' THEN (SELECT v.duration_seconds FROM component_video_properties v "
        "WHERE v.entity_id = fp.entity_id) "
        "WHEN 'audio' THEN (SELECT a.duration_seconds FROM component_audio_properties a "
        "WHERE a.entity_id = fp.entity_id) END, "
        "CASE fp.asset_type WHEN 'image' THEN (SELECT i.is_animated FROM component_image_properties i "
        "WHERE i.entity_id = fp.entity_id) END "
        "FROM component_file_properties fp "
        "LEFT JOIN component_content_hash_sha256 h ON h.entity_id = fp.entity_id "
        f"WHERE fp.entity_id IN ({placeholders})"
    )


def tile_locations_sql(placeholders: str) -> str:
    return (
        "SELECT entity_id, storage_type, path FROM component_file_location "
        f"WHERE entity_id IN ({placeholders}) "
        "ORDER BY entity_id, CASE storage_type WHEN 'managed' THEN 0 ELSE 1 END, id"
    )


def tile_infos_from_rows(
    paths: LibraryPaths, properties: Iterable[Any], locations: Iterable[Any]
) -> dict[int, TileInfo]:
    """Tile facts from the rows of `tile_properties_sql` and `tile_locations_sql`."""
    first_location: dict[int, str] = {}
    for eid, storage_type, path in locations:
        if int(eid) not in first_location:
            first_location[int(eid)] = str(location_file(paths, storage_type, path))
    infos: dict[int, TileInfo] = {}
    for eid, filename, asset_type, hash_value, extension, duration, animated in properties:
        infos[int(eid)] = TileInfo(
            entity_id=int(eid),
            filename=filename,
            asset_type=asset_type or "other",
            sha256_hex=bytes(hash_value).hex() if hash_value is not None else "",
            library=paths,
            location=first_location.get(int(eid)),
            extension=extension or "",
            duration_seconds=float(duration) if duration is not None else None,
            animated=bool(animated),
        )
    return infos


def name_pattern(name_contains: str) -> Mapping[str, str]:
    return {"pattern": f"%{escape_like(name_contains)}%"}


def asset_rows_sql(
    *, trashed: bool, asset_type: bool, sort: SortKey = SortKey.ADDED, descending: bool = False
) -> str:
    """(entity id, type, original file name) of the assets outside the trash (or in it), in `sort`
    order (by id unless told); with `asset_type`, only those of the `:asset_type` parameter's type;
    at most `:limit` (-1: all)."""
    where = [TRASHED if trashed else NOT_TRASHED, *(["fp.asset_type = :asset_type"] if asset_type else [])]
    return (
        "SELECT fp.entity_id, fp.asset_type, fp.original_filename FROM component_file_properties fp"
        f" WHERE {' AND '.join(where)} ORDER BY {sort.order_by(descending, 'fp.entity_id')} LIMIT :limit"
    )
