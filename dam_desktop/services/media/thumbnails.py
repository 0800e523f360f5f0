"""Thumbnails: ~256 px WebP pictures of images, and waveform pictures of sounds.

Images are shrunk from the pixels the probe already decoded (for JPEG at 1/2, 1/4 or 1/8 scale
through Pillow's draft mode, which is what makes 12 MP photos cheap); transparency is kept.
Sounds are drawn as a min/max waveform, read in blocks so a long recording never sits in memory.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
from PIL import Image

from dam_desktop.core.library import LibraryPaths
from dam_desktop.services.store.storage import write_atomic, write_new
from dam_desktop.utils.waveform import FloatArray

THUMBNAIL_SIZE = 256
# Chosen by measurement (benchmarks/webp_settings.py, 256x192 photo thumbnails): libwebp's effort
# 0 encodes in 1.8-2.1 ms where 1 takes 2.1-2.4, 4 (its default) 5.7-6.1 and 6 11-13, for files
# 3% bigger than at 1 and 12% bigger than at 4 at the same quality; quality 80 keeps 32.7 dB
# (75 saves 12% of the bytes for 0.7 dB and 0.2 ms).
WEBP_QUALITY = 80
WEBP_METHOD = 0
# Bicubic, as Pillow's own thumbnail(): 0.4 ms cheaper than Lanczos from a JPEG's half-size
# decode of 640x480 and 0.7 ms from a 12 MP photo's 1/8 decode, and within 0.3 of 255 levels of
# it on average (benchmarks/webp_settings.py).
THUMBNAIL_FILTER = Image.Resampling.BICUBIC
# Bilinear for a shrink of at most this much, measured by benchmarks/webp_settings.py: from a
# 640x480 JPEG's half-size decode (1.25x) 0.6 ms against bicubic's 0.9, from a 2 MP photo's 1/4
# decode (1.6x) 0.8 against 1.2, at 0.6 of 255 levels from Lanczos against 0.2-0.3, far below what
# the WebP encode then changes (32.7 dB, about 6 levels). From a 12 MP photo's 1/8 decode (1.95x)
# bilinear drifts 1.8 levels: bicubic there.
BILINEAR_UP_TO = 1.75


def thumbnail_filter(source: tuple[int, int], target: tuple[int, int]) -> Image.Resampling:
    """The filter that shrinks a `source`-sized picture to a `target`-sized thumbnail."""
    small = source[0] <= target[0] * BILINEAR_UP_TO and source[1] <= target[1] * BILINEAR_UP_TO
    return Image.Resampling.BILINEAR if small else THUMBNAIL_FILTER


WAVEFORM_SIZE = (THUMBNAIL_SIZE, THUMBNAIL_SIZE // 2)
WAVEFORM_BACKGROUND = (31, 36, 48, 255)
WAVEFORM_COLOUR = (79, 195, 247, 255)
WAVEFORM_AXIS = (70, 78, 96, 255)


def has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode in ("P", "L", "RGB") and "transparency" in image.info
    )


def fitted_size(size: tuple[int, int], edge: int = THUMBNAIL_SIZE) -> tuple[int, int]:
    """`size` fitted into an `edge` square, rounded as Pillow's `Image.thumbnail` rounds."""
    width, height = size
    if width <= edge and height <= edge:
        return size
    aspect = width / height
    if aspect >= 1:
        fitted = edge / aspect
        key = lambda n: 0 if n == 0 else abs(aspect - edge / n)  # noqa: E731
        return edge, max(min(math.floor(fitted), math.ceil(fitted), key=key), 1)
    fitted = edge * aspect
    return max(min(math.floor(fitted), math.ceil(fitted), key=lambda n: abs(aspect - n / edge)), 1), edge


def shrink_image(image: Image.Image) -> Image.Image:
    """A new image at most THUMBNAIL_SIZE on its long side, in RGB, or RGBA when it has transparency.

    Shrunk before any conversion where Pillow can (a full-size picture is never copied: that copy
    was a 64 MB allocation per 16-megapixel picture); palette and odd modes are converted first."""
    target_mode = "RGBA" if has_alpha(image) else "RGB"
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        # Palette, 16-bit, float and CMYK images: Pillow's own conversions, then the shrink.
        image = image.convert(target_mode)
    size = fitted_size(image.size)
    if size == image.size:
        small = image
    else:
        small = image.resize(size, thumbnail_filter(image.size, size), reducing_gap=2.0)
    if small.mode != target_mode:
        return small.convert(target_mode)
    return small.copy() if small is image else small


def encode_webp(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    return buffer.getvalue()


def save_thumbnail(paths: LibraryPaths, sha256_hex: str, image: Image.Image, *, replace: bool = True) -> Path:
    """Write the thumbnail under its final name, atomically (not fsynced: it can be remade); with
    `replace` False, one already there is kept (an import's new asset: no temp file is needed)."""
    final = paths.thumbnail_path(sha256_hex)
    if replace:
        write_atomic(paths, final, encode_webp(image), durable=False)
    else:
        write_new(paths, final, encode_webp(image))
    return final


def render_waveform(lows: FloatArray, highs: FloatArray) -> Image.Image:
    """A waveform picture, scaled so the loudest peak fills the height."""
    width, height = WAVEFORM_SIZE
    canvas = np.empty((height, width, 4), dtype=np.uint8)
    canvas[:] = WAVEFORM_BACKGROUND
    middle = (height - 1) / 2
    canvas[int(middle)] = WAVEFORM_AXIS
    if len(lows):
        peak = float(max(np.abs(lows).max(), np.abs(highs).max()))
        scale = 1.0 / peak if peak > 1e-4 else 1.0
        # Stretch the columns we have across the picture's width.
        index = np.minimum((np.arange(width) * len(lows)) // width, len(lows) - 1)
        top = middle - np.clip(highs[index] * scale, -1, 1) * middle
        bottom = middle - np.clip(lows[index] * scale, -1, 1) * middle
        rows = np.arange(height)[:, None]
        drawn = (rows >= np.floor(top)[None, :]) & (rows <= np.ceil(bottom)[None, :])
        canvas[drawn] = WAVEFORM_COLOUR
    return Image.fromarray(canvas, "RGBA")
