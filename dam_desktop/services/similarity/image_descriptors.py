"""The image-descriptor stage's work: a wavelet signature for each marked image, from its thumbnail.

The thumbnail (about 256 px, written by the import from the decode it already made) is all the
signature needs (it works at 128×128), so describing an image reads a ~20 KB WebP rather than
decoding the original again. An image without a thumbnail yet (its thumbnail is still marked) is
described from its stored file through the same probe the import uses. Decoding and the transform
run in the shared CPU pool; one batch is one write.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import LibraryPaths
from dam_desktop.models.files import ContentHashSHA256Component, FilePropertiesComponent
from dam_desktop.models.media import ImageWaveletSignatureComponent
from dam_desktop.services.media.media_probe import MediaError, probe_media
from dam_desktop.services.similarity.wavelet_signature import VERSION, compute_signature, to_bytes
from dam_desktop.services.store.asset_files import readable_files
from dam_desktop.utils.cpu_pool import shared_cpu_pool
from dam_desktop.utils.media_utils import SNIFF_BYTES, display_path, sniff_media


class DescribeError(Exception):
    """The image could not be described; `str()` says why."""


def _from_thumbnail(thumbnail: Path) -> bytes | None:
    try:
        with Image.open(thumbnail) as image:
            image.load()
            return to_bytes(compute_signature(image))
    except (OSError, UnidentifiedImageError, ValueError):
        return None  # unreadable thumbnail: the stored file is the way


def _from_file(file: Path) -> bytes:
    try:
        with file.open("rb") as handle:
            fmt = sniff_media(handle.read(SNIFF_BYTES))
        if fmt is None or fmt.asset_type != "image":
            raise DescribeError(f"{display_path(file)}: not a recognised image")
        return to_bytes(compute_signature(probe_media(file, fmt).thumbnail))
    except FileNotFoundError:
        raise DescribeError(f"{display_path(file)}: file is missing") from None
    except OSError as exc:
        raise DescribeError(f"{display_path(file)}: {exc.strerror or exc}") from exc
    except MediaError as exc:
        raise DescribeError(f"{display_path(file)}: {exc}") from exc


def describe(thumbnail: Path, file: Path | None) -> bytes:
    """The signature bytes of one image: from its thumbnail, else from its file."""
    signature = _from_thumbnail(thumbnail) if thumbnail.is_file() else None
    if signature is not None:
        return signature
    if file is None:
        raise DescribeError("no thumbnail and no readable copy of the file")
    return _from_file(file)


async def describe_images(
    session: AsyncSession, paths: LibraryPaths, entity_ids: Sequence[int]
) -> dict[int, str]:
    """Store a wavelet signature for each image among the ids; returns {entity: why it failed}.

    Ids that are not images (or are gone) are simply finished: they have nothing to describe."""
    rows = (
        await session.execute(
            select(ContentHashSHA256Component.entity_id, ContentHashSHA256Component.hash_value)
            .join(
                FilePropertiesComponent,
                FilePropertiesComponent.entity_id == ContentHashSHA256Component.entity_id,
            )
            .where(ContentHashSHA256Component.entity_id.in_(list(entity_ids)))
            .where(FilePropertiesComponent.asset_type == "image")
        )
    ).all()
    if not rows:
        return {}
    shas = {int(eid): bytes(sha).hex() for eid, sha in rows}
    files, _ = await readable_files(session, paths, list(shas), "image")
    loop = asyncio.get_running_loop()
    pool = shared_cpu_pool()
    ids = list(shas)
    results = await asyncio.gather(
        *(loop.run_in_executor(pool, describe, paths.thumbnail_path(shas[i]), files.get(i)) for i in ids),
        return_exceptions=True,
    )
    failed: dict[int, str] = {}
    done: dict[int, bytes] = {}
    for entity_id, result in zip(ids, results, strict=True):
        if isinstance(result, DescribeError):
            failed[entity_id] = str(result)
        elif isinstance(result, BaseException):
            raise result
        else:
            done[entity_id] = result
    if done:
        table = ImageWaveletSignatureComponent
        await session.execute(delete(table).where(table.entity_id.in_(list(done))))
        await session.execute(
            insert(table),
            [{"entity_id": eid, "version": VERSION, "signature": blob} for eid, blob in done.items()],
        )
    return failed
