"""Where to read an asset's bytes: its managed copy first, else a reference that still exists."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import SCRUB_STRIP_FRAMES, LibraryPaths
from dam_desktop.models.files import (
    STORAGE_MANAGED,
    ContentHashSHA256Component,
    FileLocationComponent,
    FilePropertiesComponent,
    TrashedComponent,
)
from dam_desktop.services.store.stored_paths import location_file


async def readable_files(
    session: AsyncSession, paths: LibraryPaths, entity_ids: Sequence[int], asset_type: str
) -> tuple[dict[int, Path], dict[int, str]]:
    """({entity: readable file}, {entity: why not}) for the assets of `asset_type` among the ids.

    Other types and trashed assets are left out of both. One query for all the ids.
    """
    if not entity_ids:
        return {}, {}
    rows = (
        await session.execute(
            select(
                FileLocationComponent.entity_id,
                FileLocationComponent.storage_type,
                FileLocationComponent.path,
            )
            .join(
                FilePropertiesComponent, FilePropertiesComponent.entity_id == FileLocationComponent.entity_id
            )
            .where(FileLocationComponent.entity_id.in_(list(entity_ids)))
            .where(FilePropertiesComponent.asset_type == asset_type)
            .where(
                ~select(TrashedComponent.id)
                .where(TrashedComponent.entity_id == FileLocationComponent.entity_id)
                .exists()
            )
            .order_by(FileLocationComponent.entity_id, FileLocationComponent.id)
        )
    ).all()
    options: dict[int, list[Path]] = {}
    for entity_id, storage_type, stored in rows:
        path = location_file(paths, storage_type, stored)
        bucket = options.setdefault(entity_id, [])
        if storage_type == STORAGE_MANAGED:
            bucket.insert(0, path)
        else:
            bucket.append(path)
    found: dict[int, Path] = {}
    missing: dict[int, str] = {}
    for entity_id, candidates in options.items():
        existing = next((p for p in candidates if p.is_file()), None)
        if existing is None:
            missing[entity_id] = f"file not found: {candidates[0]}"
        else:
            found[entity_id] = existing
    return found, missing


# Images the models' decoder (Pillow on the model thread) does not open itself: camera RAWs (whose
# TIFF skeleton Pillow would misread), SVG and HEIC. The models see them through their thumbnail,
# the 256 px picture the import drew, which is more than CLIP's 224 px input.
SEEN_THROUGH_THUMBNAIL = frozenset({"image/x-raw", "image/svg+xml", "image/heic"})


async def model_pictures(
    session: AsyncSession, paths: LibraryPaths, entity_ids: Sequence[int]
) -> tuple[dict[int, Path], dict[int, str]]:
    """Like `readable_files` for images, with RAW, SVG and HEIC assets given by their thumbnail."""
    files, failed = await readable_files(session, paths, entity_ids, "image")
    if not files:
        return files, failed
    rows = await session.execute(
        select(FilePropertiesComponent.entity_id, ContentHashSHA256Component.hash_value)
        .join(
            ContentHashSHA256Component,
            ContentHashSHA256Component.entity_id == FilePropertiesComponent.entity_id,
        )
        .where(FilePropertiesComponent.entity_id.in_(list(files)))
        .where(FilePropertiesComponent.mime_type.in_(SEEN_THROUGH_THUMBNAIL))
    )
    for entity_id, sha in rows.all():
        thumbnail = paths.thumbnail_path(bytes(sha).hex())
        if thumbnail.is_file():
            files[entity_id] = thumbnail
        else:
            del files[entity_id]
            failed[entity_id] = "its thumbnail is not made yet (RAW, SVG and HEIC are seen through it)"
    return files, failed


async def clip_pictures(
    session: AsyncSession, paths: LibraryPaths, entity_ids: Sequence[int]
) -> tuple[dict[int, tuple[Path, int]], dict[int, str]]:
    """For the clips among the ids (trash left out): the picture the models see them through,
    with its number of frames side by side: the scrub strip's keyframes, else the poster
    thumbnail alone; and {entity: why neither exists}."""
    if not entity_ids:
        return {}, {}
    rows = await session.execute(
        select(FilePropertiesComponent.entity_id, ContentHashSHA256Component.hash_value)
        .join(
            ContentHashSHA256Component,
            ContentHashSHA256Component.entity_id == FilePropertiesComponent.entity_id,
        )
        .where(FilePropertiesComponent.entity_id.in_(list(entity_ids)))
        .where(FilePropertiesComponent.asset_type == "video")
        .where(
            ~select(TrashedComponent.id)
            .where(TrashedComponent.entity_id == FilePropertiesComponent.entity_id)
            .exists()
        )
    )
    found: dict[int, tuple[Path, int]] = {}
    failed: dict[int, str] = {}
    for entity_id, sha in rows.all():
        strip, poster = paths.scrub_strip_path(bytes(sha).hex()), paths.thumbnail_path(bytes(sha).hex())
        if strip.is_file():
            found[entity_id] = (strip, SCRUB_STRIP_FRAMES)
        elif poster.is_file():
            found[entity_id] = (poster, 1)
        else:
            failed[entity_id] = "its frames are not kept yet (a clip is seen through its scrub strip)"
    return found, failed


async def asset_type_of(session: AsyncSession, entity_id: int) -> str | None:
    """'image', 'audio' or 'other' for a live asset; None for a trashed or unknown entity."""
    stmt = (
        select(FilePropertiesComponent.asset_type)
        .where(FilePropertiesComponent.entity_id == entity_id)
        .where(~select(TrashedComponent.id).where(TrashedComponent.entity_id == entity_id).exists())
    )
    return (await session.scalars(stmt)).first()


async def known_asset_ids(session: AsyncSession, entity_ids: Sequence[int]) -> set[int]:
    """The ids among `entity_ids` that name an asset (in the library or in its trash)."""
    if not entity_ids:
        return set()
    stmt = select(FilePropertiesComponent.entity_id).where(
        FilePropertiesComponent.entity_id.in_(list(entity_ids))
    )
    return set((await session.scalars(stmt)).all())


async def asset_ids_with_sha256(session: AsyncSession, digest: bytes) -> list[int]:
    """The assets whose content has this SHA-256 (one at most: the library deduplicates)."""
    stmt = (
        select(ContentHashSHA256Component.entity_id)
        .where(ContentHashSHA256Component.hash_value == digest)
        .order_by(ContentHashSHA256Component.entity_id)
    )
    return list((await session.scalars(stmt)).all())
