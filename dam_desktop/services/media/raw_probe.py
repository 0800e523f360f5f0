"""Camera RAW (DNG, CR2, CR3, NEF, ARW, RAF, ORF ...) through LibRaw (rawpy).

The thumbnail comes from the preview the camera embedded, a JPEG that decodes in milliseconds;
only a RAW without one is developed, at half size. Width and height are the developed picture's
(upright); make, model and date come from the RAW's TIFF tags where it is a TIFF inside, else from
the embedded preview's EXIF.
"""

from __future__ import annotations

import contextlib
import io
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image

from dam_desktop.services.media.media_facts import ImageFacts, MediaError, Probe, Source
from dam_desktop.services.media.media_probe import (
    EXIF_DATETIME,
    EXIF_DATETIME_ORIGINAL,
    EXIF_IFD,
    EXIF_MAKE,
    EXIF_MODEL,
    exif_datetime,
    exif_facts,
    exif_text,
)
from dam_desktop.services.media.thumbnails import shrink_image
from dam_desktop.utils.media_utils import MediaFormat, perceptual_hashes

# LibRaw's flip codes and the PIL transposition that shows the picture upright.
_FLIPS = {3: Image.Transpose.ROTATE_180, 5: Image.Transpose.ROTATE_90, 6: Image.Transpose.ROTATE_270}


def probe(source: Source, fmt: MediaFormat) -> Probe:
    import rawpy

    try:
        with rawpy.imread(str(source) if isinstance(source, Path) else source) as raw:
            return _probe_raw(raw, source, fmt)
    except MediaError:
        raise
    except (rawpy.LibRawError, OSError, ValueError) as exc:
        reason = str(exc) or type(exc).__name__
        raise MediaError(f"corrupt or unreadable {fmt.name}: {reason}") from exc
    except MemoryError as exc:
        raise MediaError(f"not enough memory to decode this {fmt.name}") from exc


def embedded_preview(raw: Any, draft: int = 512) -> Image.Image | None:
    import rawpy

    try:
        thumb = raw.extract_thumb()
    except (rawpy.LibRawNoThumbnailError, rawpy.LibRawUnsupportedThumbnailError):
        return None
    if thumb.format == rawpy.ThumbFormat.JPEG:
        image = Image.open(io.BytesIO(thumb.data))
        image.draft("RGB", (draft, draft))
        image.load()
        return image
    return Image.fromarray(thumb.data)


def developed(raw: Any, half_size: bool = True) -> Image.Image:
    pixels = raw.postprocess(half_size=half_size, use_camera_wb=True, output_bps=8, no_auto_bright=False)
    return Image.fromarray(pixels)


def upright_picture(raw: Any, preview: Image.Image | None, half_size: bool = True) -> Image.Image:
    """The embedded preview turned as the camera was held, or the RAW developed (LibRaw's output is
    already upright) when it has no preview."""
    if preview is None:
        return developed(raw, half_size)
    flip = int(getattr(raw.sizes, "flip", 0) or 0)
    width, height = int(raw.sizes.width), int(raw.sizes.height)
    if flip in (5, 6):
        width, height = height, width
    if flip in _FLIPS and (preview.width > preview.height) != (width > height):
        return preview.transpose(_FLIPS[flip])
    return preview


def _tiff_tags(source: Source) -> tuple[datetime | None, str | None, str | None]:
    """Date taken, make and model from a TIFF-based RAW's first directory and its EXIF directory;
    Nones for the others. Read as tags only: Pillow cannot open a RAW's mosaic as a picture."""
    from PIL.TiffImagePlugin import ImageFileDirectory_v2

    with contextlib.suppress(Exception):
        handle = source.open("rb") if isinstance(source, Path) else source
        try:
            handle.seek(0)
            header = handle.read(8)
            if header[:2] not in (b"II", b"MM"):
                return None, None, None
            first = ImageFileDirectory_v2(header)
            handle.seek(first.next)
            first.load(handle)
            taken_text = first.get(EXIF_DATETIME)
            exif_offset = first.get(EXIF_IFD)
            if isinstance(exif_offset, int):
                exif = ImageFileDirectory_v2(header)
                handle.seek(exif_offset)
                exif.load(handle)
                taken_text = exif.get(EXIF_DATETIME_ORIGINAL) or taken_text
            return (
                exif_datetime(taken_text),
                exif_text(first.get(EXIF_MAKE)),
                exif_text(first.get(EXIF_MODEL)),
            )
        finally:
            if isinstance(source, Path):
                handle.close()
    return None, None, None


def _probe_raw(raw: Any, source: Source, fmt: MediaFormat) -> Probe:
    sizes = raw.sizes
    flip = int(getattr(sizes, "flip", 0) or 0)
    width, height = int(sizes.width), int(sizes.height)
    if flip in (5, 6):
        width, height = height, width
    if width <= 0 or height <= 0:
        raise MediaError(f"corrupt {fmt.name}: no picture size")
    preview = embedded_preview(raw)
    from_preview = preview is not None
    preview = upright_picture(raw, preview)
    taken, make, model = _tiff_tags(source)
    if from_preview and not (make or model):
        _orientation, taken, make, model = exif_facts(preview)
    thumbnail = shrink_image(preview)
    facts = ImageFacts(
        width=width, height=height, mode="RAW", exif_datetime=taken, camera_make=make, camera_model=model
    )
    phash, dhash = perceptual_hashes(thumbnail)
    return Probe(thumbnail=thumbnail, image=facts, phash=phash, dhash=dhash)
