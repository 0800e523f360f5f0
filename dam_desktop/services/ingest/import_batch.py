"""One batch of processed files written in one transaction: entities, components, locations and
the markers later stages drain. A file whose content is already known adds a location to the
existing asset instead (dedupe), or repairs it when a verify found its stored copy damaged."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.sql_dialect import IMPORT_WRITE_LOCK, serialize_writers
from dam_desktop.core.world import World
from dam_desktop.models.core.markers import BaseMarker
from dam_desktop.models.core.pipeline_markers import (
    NeedsAudioProcessingMarker,
    NeedsAutoTaggingMarker,
    NeedsEmbeddingMarker,
    NeedsImageDescriptorMarker,
    NeedsScrubStripMarker,
    NeedsThumbnailMarker,
)
from dam_desktop.models.files import (
    PROBLEM_CHANGED,
    STORAGE_MANAGED,
    STORAGE_REFERENCE,
    ContentHashSHA256Component,
    FileLocationComponent,
    FilePropertiesComponent,
    MissingFileComponent,
    TrashedComponent,
)
from dam_desktop.models.media import (
    AudioPropertiesComponent,
    DocumentPropertiesComponent,
    ImagePerceptualHashComponent,
    ImagePropertiesComponent,
    VideoPropertiesComponent,
)
from dam_desktop.services import ecs_service
from dam_desktop.services.ingest.import_report import ImportFailure
from dam_desktop.services.ingest.import_worker import ImportMode, ProcessedFile
from dam_desktop.services.ingest.xmp_tags import apply_xmp_tags
from dam_desktop.services.store.stored_paths import encode_db_path, managed_relative_path
from dam_desktop.utils.media_utils import display_path

MARKERS_BY_TYPE: dict[str, tuple[type[BaseMarker], ...]] = {
    "image": (NeedsImageDescriptorMarker, NeedsAutoTaggingMarker, NeedsEmbeddingMarker),
    "audio": (NeedsAudioProcessingMarker,),
    "video": (NeedsScrubStripMarker, NeedsEmbeddingMarker),
}


@dataclass
class BatchOutcome:
    new_ids: list[int] = field(default_factory=list)
    duplicates: int = 0
    repaired: list[int] = field(default_factory=list)
    skipped: list[ImportFailure] = field(default_factory=list)
    thumbnails_pending: list[int] = field(default_factory=list)


_commit_locks: weakref.WeakKeyDictionary[World, asyncio.Lock] = weakref.WeakKeyDictionary()


def commit_lock(world: World) -> asyncio.Lock:
    """Serialises the check-then-insert of concurrent imports into one world (say, two drops)."""
    lock = _commit_locks.get(world)
    if lock is None:
        lock = _commit_locks[world] = asyncio.Lock()
    return lock


def _location(file: ProcessedFile, mode: ImportMode) -> dict[str, Any]:
    if mode == "copy":
        return {
            "storage_type": STORAGE_MANAGED,
            "path": managed_relative_path(file.sha256_hex),
            "source_path": encode_db_path(file.source),
        }
    return {"storage_type": STORAGE_REFERENCE, "path": encode_db_path(file.source), "source_path": None}


def _component_rows(entity_id: int, file: ProcessedFile) -> dict[type[Any], dict[str, Any]]:
    rows: dict[type[Any], dict[str, Any]] = {
        ContentHashSHA256Component: {"entity_id": entity_id, "hash_value": file.sha256},
        FilePropertiesComponent: {
            "entity_id": entity_id,
            "original_filename": file.original_filename[:1024],
            "file_size_bytes": file.size,
            "mime_type": file.fmt.mime_type,
            "file_extension": file.file_extension,
            "asset_type": file.fmt.asset_type,
        },
    }
    if file.image is not None:
        facts = file.image
        rows[ImagePropertiesComponent] = {
            "entity_id": entity_id,
            "width": facts.width,
            "height": facts.height,
            "mode": facts.mode,
            "is_animated": facts.is_animated,
            "frame_count": facts.frame_count,
            "exif_orientation": facts.exif_orientation,
            "exif_datetime": facts.exif_datetime,
            "camera_make": facts.camera_make,
            "camera_model": facts.camera_model,
        }
    if file.phash is not None and file.dhash is not None:
        rows[ImagePerceptualHashComponent] = {
            "entity_id": entity_id,
            "phash": file.phash,
            "dhash": file.dhash,
        }
    if file.audio is not None:
        audio = file.audio
        rows[AudioPropertiesComponent] = {
            "entity_id": entity_id,
            "duration_seconds": audio.duration_seconds,
            "sample_rate": audio.sample_rate,
            "channels": audio.channels,
            "audio_format": audio.audio_format,
            "subtype": audio.subtype,
            "title": audio.tags.title,
            "artist": audio.tags.artist,
            "album": audio.tags.album,
            "genre": audio.tags.genre,
            "bpm": audio.tags.bpm,
            "musical_key": audio.tags.musical_key,
        }
    if file.video is not None:
        video = file.video
        rows[VideoPropertiesComponent] = {
            "entity_id": entity_id,
            "duration_seconds": video.duration_seconds,
            "video_codec": video.video_codec[:32],
            "frame_rate": video.frame_rate,
            "audio_codec": video.audio_codec[:32] if video.audio_codec else None,
            "created_at": video.created_at,
        }
    if file.document is not None:
        rows[DocumentPropertiesComponent] = {
            "entity_id": entity_id,
            "page_count": file.document.page_count,
            "title": file.document.title,
        }
    return rows


async def write_batch(
    session: AsyncSession, files: Sequence[ProcessedFile], mode: ImportMode, repaired: Collection[bytes] = ()
) -> BatchOutcome:
    """Write processed files: new assets for new content, locations for known content. Set-based.

    `repaired`: hashes whose damaged stored copy the batch has just replaced; their files repair
    the asset rather than count as duplicates.
    """
    outcome = BatchOutcome()
    by_sha: dict[bytes, list[ProcessedFile]] = {}
    for file in files:
        by_sha.setdefault(file.sha256, []).append(file)
    if not by_sha:
        return outcome

    # Two workstations importing the same file at once: the second waits for the first's commit
    # here and then finds its hash, so the file is one asset with two locations.
    await serialize_writers(session, IMPORT_WRITE_LOCK)
    hash_rows = await session.execute(
        select(ContentHashSHA256Component.hash_value, ContentHashSHA256Component.entity_id).where(
            ContentHashSHA256Component.hash_value.in_(list(by_sha))
        )
    )
    known: dict[bytes, int] = {sha: eid for sha, eid in hash_rows.all()}
    trashed: set[int] = set()
    if known:
        trashed = set(
            (
                await session.scalars(
                    select(TrashedComponent.entity_id).where(
                        TrashedComponent.entity_id.in_(list(known.values()))
                    )
                )
            ).all()
        )

    new_shas = [sha for sha in by_sha if sha not in known]
    new_ids = await ecs_service.create_entities(session, len(new_shas))
    entity_for = dict(known) | dict(zip(new_shas, new_ids, strict=True))

    component_rows: dict[type[Any], list[dict[str, Any]]] = {}
    for sha, eid in zip(new_shas, new_ids, strict=True):
        for component, row in _component_rows(eid, by_sha[sha][0]).items():
            component_rows.setdefault(component, []).append(row)

    existing_locations: set[tuple[int, str, str]] = set()
    if known:
        rows = await session.execute(
            select(
                FileLocationComponent.entity_id,
                FileLocationComponent.storage_type,
                FileLocationComponent.path,
            ).where(FileLocationComponent.entity_id.in_(list(known.values())))
        )
        existing_locations = {(eid, kind, path) for eid, kind, path in rows.all()}

    location_rows: list[dict[str, Any]] = []
    for sha, group in by_sha.items():
        eid = entity_for[sha]
        if eid in trashed:
            outcome.skipped.extend(
                ImportFailure(display_path(f.source), "already in the library's trash: restore it from there")
                for f in group
            )
            continue
        if sha in known and sha in repaired:
            outcome.repaired.append(eid)
            outcome.duplicates += len(group) - 1
        else:
            outcome.duplicates += len(group) if sha in known else len(group) - 1
        for file in group:
            row = _location(file, mode)
            key = (eid, row["storage_type"], row["path"])
            if key not in existing_locations:
                existing_locations.add(key)
                location_rows.append({"entity_id": eid, **row})
    if location_rows:
        component_rows[FileLocationComponent] = location_rows

    # Core inserts of the tables, not ORM bulk inserts of the classes: the same executemany
    # without the ORM's per-row bookkeeping, which cost the loop more than the writes did.
    for component, rows_for_table in component_rows.items():
        await session.execute(insert(component.__table__), rows_for_table)
    # A file imported again makes its asset whole: copy mode has just put the bytes back into the
    # store (how a lost managed copy is restored), reference mode has just read them where they are.
    restored = [eid for eid in known.values() if eid not in trashed]
    if restored:
        marks = MissingFileComponent
        await session.execute(delete(marks).where(marks.entity_id.in_(restored)))

    for asset_type, markers in MARKERS_BY_TYPE.items():
        ids = [entity_for[sha] for sha in new_shas if by_sha[sha][0].fmt.asset_type == asset_type]
        for marker in markers:
            await ecs_service.add_marker(session, ids, marker)
    await apply_xmp_tags(session, [(entity_for[sha], by_sha[sha][0].xmp) for sha in new_shas])
    pending = [entity_for[sha] for sha in new_shas if by_sha[sha][0].thumbnail_error is not None]
    if pending:
        await ecs_service.add_marker(session, pending, NeedsThumbnailMarker)
    outcome.new_ids = new_ids
    outcome.thumbnails_pending = pending
    return outcome


async def damaged_copies(session: AsyncSession) -> frozenset[str]:
    """Hashes (hex) of the stored copies the last verify found damaged (marked "changed")."""
    mark = MissingFileComponent
    rows = await session.scalars(
        select(ContentHashSHA256Component.hash_value)
        .join(mark, mark.entity_id == ContentHashSHA256Component.entity_id)
        .where(mark.problem == PROBLEM_CHANGED, mark.storage_type == STORAGE_MANAGED)
    )
    return frozenset(bytes(value).hex() for value in rows.all())
