"""The sharper thumbnail the grid shows at zooms above the usual 256 px one: 768 px on its long
side, made from the original when a tile first wants it, in the CPU pool, and kept in the store
next to the 256 px one (`LibraryPaths.large_thumbnail_path`). Pictures no bigger than 256 px get
none: the usual thumbnail is already the whole picture.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

from dam_desktop.core.library import LibraryPaths
from dam_desktop.services.media.media_facts import MediaError
from dam_desktop.services.media.previews import fitted_picture
from dam_desktop.services.media.thumbnail_service import ThumbnailSource
from dam_desktop.services.media.thumbnails import THUMBNAIL_SIZE, encode_webp, has_alpha
from dam_desktop.services.store.storage import write_atomic
from dam_desktop.utils.cpu_pool import shared_cpu_pool
from dam_desktop.utils.media_utils import display_path

LARGE_THUMBNAIL_SIZE = 768


def make_large_thumbnail(paths: LibraryPaths, source: ThumbnailSource) -> Path | None:
    """The asset's large thumbnail, written from the first readable copy of its file unless it is
    there already; None when the picture is no bigger than the usual thumbnail. Raises MediaError
    saying why it cannot be made."""
    final = paths.large_thumbnail_path(source.sha256_hex)
    if final.is_file():
        return final
    reasons: list[str] = []
    for file in source.files:
        try:
            picture = fitted_picture(file, source.original_name, LARGE_THUMBNAIL_SIZE)
        except FileNotFoundError:
            reasons.append(f"{display_path(file)}: file is missing")
            continue
        except (OSError, MediaError) as exc:
            reasons.append(f"{display_path(file)}: {exc}")
            continue
        if max(picture.size) <= THUMBNAIL_SIZE:
            return None
        if picture.mode not in ("RGB", "RGBA"):
            picture = picture.convert("RGBA" if has_alpha(picture) else "RGB")
        try:
            write_atomic(paths, final, encode_webp(picture), durable=False)
        except OSError as exc:
            raise MediaError(f"could not write the large thumbnail: {exc.strerror or exc}") from exc
        return final
    raise MediaError("no readable copy of the file: " + ("; ".join(reasons) or "the asset has no location"))


async def make_large_thumbnails(
    paths: LibraryPaths, sources: Mapping[int, ThumbnailSource]
) -> dict[int, Path | None]:
    """Each asset's large thumbnail, made in the CPU pool where missing; None for an asset that
    has none (a small picture, or a file that cannot be read: its usual thumbnail stays)."""
    loop = asyncio.get_running_loop()
    pool = shared_cpu_pool()
    ordered = list(sources.items())
    results = await asyncio.gather(
        *(loop.run_in_executor(pool, make_large_thumbnail, paths, source) for _, source in ordered),
        return_exceptions=True,
    )
    made: dict[int, Path | None] = {}
    for (entity_id, _), result in zip(ordered, results, strict=True):
        if isinstance(result, BaseException) and not isinstance(result, Exception):
            raise result  # cancelled, interrupted: not a reason about the file
        made[entity_id] = result if isinstance(result, Path) else None
    return made
