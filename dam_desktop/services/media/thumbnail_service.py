"""Making thumbnails again from stored files: for assets whose import could not write one, and for
assets someone marked to regenerate (`request_thumbnails`).

The import itself makes thumbnails from the bytes it already read (see `import_service`); this is
the path for the rest, driven by `NeedsThumbnailMarker` and `systems.thumbnail_system`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import LibraryPaths
from dam_desktop.models.core.pipeline_markers import NeedsThumbnailMarker
from dam_desktop.models.files import (
    ContentHashSHA256Component,
    FileLocationComponent,
    FilePropertiesComponent,
)
from dam_desktop.services import ecs_service
from dam_desktop.services.media.media_probe import MediaError, probe_media
from dam_desktop.services.media.thumbnails import save_thumbnail
from dam_desktop.services.store.stored_paths import location_file
from dam_desktop.utils.cpu_pool import shared_cpu_pool
from dam_desktop.utils.media_utils import SNIFF_BYTES, display_path, sniff_media


async def request_thumbnails(session: AsyncSession, entity_ids: Sequence[int]) -> None:
    """Mark assets so the thumbnail stage (re)makes their thumbnails."""
    await ecs_service.add_marker(session, entity_ids, NeedsThumbnailMarker)


@dataclass(frozen=True)
class ThumbnailSource:
    sha256_hex: str
    # The name it was imported under: a few formats (TGA, PCX, ICO) are known by their name only,
    # and stored copies are named by their hash.
    original_name: str
    files: list[Path]  # where its bytes can be read, managed copies first


async def thumbnail_sources(
    session: AsyncSession, paths: LibraryPaths, entity_ids: Sequence[int]
) -> dict[int, ThumbnailSource]:
    """For each asset: its hash, its original name and the files its bytes can be read from."""
    ids = list(entity_ids)
    if not ids:
        return {}
    stmt = (
        select(
            ContentHashSHA256Component.entity_id,
            ContentHashSHA256Component.hash_value,
            FileLocationComponent.storage_type,
            FileLocationComponent.path,
            FilePropertiesComponent.original_filename,
        )
        .outerjoin(
            FilePropertiesComponent, FilePropertiesComponent.entity_id == ContentHashSHA256Component.entity_id
        )
        .outerjoin(
            FileLocationComponent, FileLocationComponent.entity_id == ContentHashSHA256Component.entity_id
        )
        .where(ContentHashSHA256Component.entity_id.in_(ids))
        .order_by(
            ContentHashSHA256Component.entity_id, FileLocationComponent.storage_type, FileLocationComponent.id
        )
    )
    sources: dict[int, ThumbnailSource] = {}
    for entity_id, sha, storage_type, stored_path, name in (await session.execute(stmt)).all():
        source = sources.setdefault(entity_id, ThumbnailSource(sha.hex(), name or "", []))
        if stored_path is not None:
            source.files.append(location_file(paths, storage_type, stored_path))
    return sources


def remake_thumbnail(paths: LibraryPaths, source: ThumbnailSource) -> None:
    """Decode the first readable copy and write its thumbnail; raise MediaError saying why not."""
    reasons: list[str] = []
    sha256_hex = source.sha256_hex
    for file in source.files:
        try:
            with file.open("rb") as handle:
                fmt = sniff_media(handle.read(SNIFF_BYTES), source.original_name or file.name)
            if fmt is None:
                reasons.append(f"{display_path(file)}: not a recognised image or sound")
                continue
            thumbnail = probe_media(file, fmt).thumbnail
        except FileNotFoundError:
            reasons.append(f"{display_path(file)}: file is missing")
        except OSError as exc:
            reasons.append(f"{display_path(file)}: {exc.strerror or exc}")
        except MediaError as exc:
            reasons.append(f"{display_path(file)}: {exc}")
        else:
            try:
                save_thumbnail(paths, sha256_hex, thumbnail)
            except OSError as exc:
                raise MediaError(f"could not write the thumbnail: {exc.strerror or exc}") from exc
            return
    raise MediaError("no readable copy of the file: " + ("; ".join(reasons) or "the asset has no location"))


async def remake_thumbnails(
    session: AsyncSession, paths: LibraryPaths, entity_ids: Sequence[int]
) -> dict[int, str]:
    """Remake the thumbnails of these assets in the CPU pool; returns {entity id: reason} for failures."""
    return await run_over_sources(session, paths, entity_ids, remake_thumbnail)


async def run_over_sources(
    session: AsyncSession,
    paths: LibraryPaths,
    entity_ids: Sequence[int],
    work: Callable[[LibraryPaths, ThumbnailSource], object],
) -> dict[int, str]:
    """`work(paths, source)` for each asset's copies, in the CPU pool; {entity id: reason} for
    those it failed (a MediaError says why in words)."""
    sources = await thumbnail_sources(session, paths, entity_ids)
    failed = {eid: "the asset has no content hash" for eid in entity_ids if eid not in sources}
    loop = asyncio.get_running_loop()
    pool = shared_cpu_pool()
    ordered = list(sources.items())
    results = await asyncio.gather(
        *(loop.run_in_executor(pool, work, paths, source) for _, source in ordered),
        return_exceptions=True,
    )
    for (entity_id, _), result in zip(ordered, results, strict=True):
        if isinstance(result, BaseException):
            failed[entity_id] = str(result) if isinstance(result, MediaError) else repr(result)
    return failed
