"""Decoding big pictures at the size they are needed, within a memory budget shared by all threads.

A 4096x4096 picture is 64 MB of pixels; Pillow's WebP reader holds three more copies while it
decodes (libwebp's two canvases and the frame's bytes), 256 MB at its peak. With a pool of four
threads each decoding one, an import of such files peaked at 1.25 GB. Two things bound it:

- `load_reduced` decodes at a reduced size where the decoder can: JPEG scales by 1/2..1/8 in the
  DCT (Pillow's draft), and a still WebP goes through Qt's reader, which scales as it reads (one
  32-bit canvas and no extra copies: a quarter of Pillow's peak). Other formats decode at full
  size, within the budget.
- `decode_budget` lets the full-size decodes in flight, over all threads, hold at most
  `DECODE_BUDGET_BYTES` at once; a thread whose decode would pass it waits. Small pictures
  (under `UNBUDGETED_BYTES`) never wait.

Measured on 16 WebP files of 4096x4096 (benchmarks/import_memory.py): see the README.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from PIL import Image

DECODE_BUDGET_BYTES = 160 * 1024 * 1024  # two 16-megapixel pictures with alpha, and their copies
UNBUDGETED_BYTES = 16 * 1024 * 1024  # a 4-megapixel picture: ordinary photos never wait

# Pillow keeps RGB as 4 bytes a pixel; its WebP reader holds about four full canvases at its peak.
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "LA": 4, "PA": 4}
_PILLOW_WEBP_COPIES = 4


class _Budget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_use = 0
        self.highest = 0  # the most ever reserved at once (tests read it)
        self._changed = threading.Condition()

    @contextmanager
    def reserve(self, nbytes: int) -> Iterator[None]:
        if nbytes < UNBUDGETED_BYTES:
            yield
            return
        wanted = min(nbytes, self.limit)  # bigger than the budget: it runs alone
        with self._changed:
            self._changed.wait_for(lambda: self.in_use + wanted <= self.limit)
            self.in_use += wanted
            self.highest = max(self.highest, self.in_use)
        try:
            yield
        finally:
            with self._changed:
                self.in_use -= wanted
                self._changed.notify_all()


BUDGET = _Budget(DECODE_BUDGET_BYTES)  # one for the process: the import's threads and the model's


def decode_budget(nbytes: int) -> contextlib.AbstractContextManager[None]:
    """Hold `nbytes` of the process's decode budget (waiting for it) while the block runs."""
    return BUDGET.reserve(nbytes)


def reduces_in_qt(image: Image.Image) -> bool:
    """A still WebP bigger than a few megapixels: read through Qt's scaling reader."""
    width, height = image.size
    still = not getattr(image, "is_animated", False)
    return image.format == "WEBP" and still and width * height * 4 >= UNBUDGETED_BYTES


def decoded_bytes(image: Image.Image) -> int:
    """What decoding `image` (an opened, not yet loaded Pillow image, after any draft) holds at
    its peak."""
    width, height = image.size
    pixels = width * height
    if reduces_in_qt(image):
        return pixels * 4
    if image.format == "WEBP":
        return pixels * 4 * _PILLOW_WEBP_COPIES
    return pixels * _BYTES_PER_PIXEL.get(image.mode, 4)


def prepare_reduced(image: Image.Image, box: tuple[int, int]) -> None:
    """Ask the decoder for the smallest size that still covers `box`, before anything is read
    (JPEG's DCT scaling; a no-op for formats that cannot scale)."""
    image.draft(image.mode, box)


def load_reduced(image: Image.Image, source: Path | BinaryIO, box: tuple[int, int]) -> Image.Image:
    """The picture's pixels at a size that covers `box` (or full size where the decoder cannot
    scale): `image` itself, loaded, or a new smaller image read by Qt. Call `prepare_reduced`
    first, and hold `decode_budget` for `decoded_bytes` around this and what uses its result."""
    if reduces_in_qt(image):
        # Twice the box, then Lanczos down to it: what Pillow's thumbnail(reducing_gap=2) does.
        scaled = _qt_scaled_read(source, _covering(image.size, (box[0] * 2, box[1] * 2)))
        if scaled is not None:
            return scaled
    image.load()
    return image


def _covering(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """The size in `size`'s aspect ratio that covers `box` on both sides (never bigger than `size`)."""
    width, height = size
    scale = min(1.0, max(box[0] / width, box[1] / height))
    return max(1, round(width * scale)), max(1, round(height * scale))


# Qt's image readers run one at a time: reading from several threads at once crashed the process
# (1 run in 5 of 48 reads on 4 threads, a segmentation fault while Qt loaded its image plugins).
_QT_READER = threading.Lock()


def _qt_scaled_read(source: Path | BinaryIO, size: tuple[int, int]) -> Image.Image | None:
    """Read with Qt's image reader scaled to `size`; None when Qt cannot read it (Pillow then does)."""
    with _QT_READER:
        return _qt_read(source, size)


def _qt_read(source: Path | BinaryIO, size: tuple[int, int]) -> Image.Image | None:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtGui import QImage, QImageReader

    if isinstance(source, Path):
        reader = QImageReader(str(source))
        device = None
    else:
        position = source.tell()
        source.seek(0)
        data = source.read()
        source.seek(position)
        device = QBuffer()
        device.setData(QByteArray(data))
        device.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(device)
    reader.setAutoTransform(False)  # the EXIF orientation is applied to the thumbnail, as for Pillow
    reader.setScaledSize(QSize(*size))
    picture = reader.read()
    if picture.isNull():
        return None
    if picture.hasAlphaChannel():
        picture = picture.convertToFormat(QImage.Format.Format_RGBA8888)
        mode = "RGBA"
    else:
        picture = picture.convertToFormat(QImage.Format.Format_RGB888)
        mode = "RGB"
    raw = bytes(picture.constBits())
    stride = picture.bytesPerLine()
    result = Image.frombuffer(mode, (picture.width(), picture.height()), raw, "raw", mode, stride, 1)
    del device
    return result


__all__ = [
    "DECODE_BUDGET_BYTES",
    "decode_budget",
    "decoded_bytes",
    "load_reduced",
    "prepare_reduced",
    "reduces_in_qt",
]
