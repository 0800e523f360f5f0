"""Media facts that need no library: what a file is (by content), perceptual hashes, safe paths.

A file's type comes from its first bytes, never from its name: a PNG named `.jpg` is a PNG, and
garbage named `.jpg` is garbage. The formats we import are a table (`MEDIA_FORMATS`), not a chain
of ifs; a second table names common formats we recognise but do not import, so the import report
can say "PDF document" rather than "unknown".
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath
from typing import Literal

import numpy as np
import numpy.typing as npt
from PIL import Image

AssetType = Literal["image", "audio", "other"]

# How many leading bytes `sniff_media` needs to see.
SNIFF_BYTES = 64


@dataclass(frozen=True)
class MediaFormat:
    name: str  # what a person calls it: "JPEG image", "FLAC audio"
    mime_type: str
    asset_type: AssetType
    extensions: tuple[str, ...]  # lower case, no dot; the first is the canonical one
    pil_format: str | None = None  # Pillow's format name, for images

    @property
    def canonical_extension(self) -> str:
        return self.extensions[0]

    def extension_for(self, filename: str) -> str:
        """The file's own extension when it fits the format (`.jpeg` stays `jpeg`), else the canonical one."""
        ext = file_extension(filename)
        return ext if ext in self.extensions else self.canonical_extension


def _starts(prefix: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(prefix)


def _riff(kind: bytes) -> Callable[[bytes], bool]:
    return lambda head: head[:4] in (b"RIFF", b"RF64") and head[8:12] == kind


def _mp3(head: bytes) -> bool:
    if head.startswith(b"ID3"):
        return True
    # MPEG audio frame sync: 11 set bits, and a layer field other than the reserved 00 (which
    # is AAC's ADTS header).
    return len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06 != 0


def _ogg_with(codec: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(b"OggS") and codec in head


JPEG = MediaFormat("JPEG image", "image/jpeg", "image", ("jpg", "jpeg", "jpe", "jfif"), "JPEG")
PNG = MediaFormat("PNG image", "image/png", "image", ("png",), "PNG")
GIF = MediaFormat("GIF image", "image/gif", "image", ("gif",), "GIF")
WEBP = MediaFormat("WebP image", "image/webp", "image", ("webp",), "WEBP")
BMP = MediaFormat("BMP image", "image/bmp", "image", ("bmp", "dib"), "BMP")
TIFF = MediaFormat("TIFF image", "image/tiff", "image", ("tif", "tiff"), "TIFF")
WAV = MediaFormat("WAV audio", "audio/wav", "audio", ("wav", "wave"))
FLAC = MediaFormat("FLAC audio", "audio/flac", "audio", ("flac",))
OPUS = MediaFormat("Opus audio", "audio/ogg", "audio", ("opus", "ogg", "oga"))
VORBIS = MediaFormat("Ogg Vorbis audio", "audio/ogg", "audio", ("ogg", "oga"))
MP3 = MediaFormat("MP3 audio", "audio/mpeg", "audio", ("mp3",))
AIFF = MediaFormat("AIFF audio", "audio/aiff", "audio", ("aiff", "aif", "aifc"))

# Checked in order; the first match wins.
MEDIA_FORMATS: tuple[tuple[Callable[[bytes], bool], MediaFormat], ...] = (
    (_starts(b"\xff\xd8\xff"), JPEG),
    (_starts(b"\x89PNG\r\n\x1a\n"), PNG),
    (_starts(b"GIF87a"), GIF),
    (_starts(b"GIF89a"), GIF),
    (_riff(b"WEBP"), WEBP),
    (_starts(b"II*\x00"), TIFF),
    (_starts(b"MM\x00*"), TIFF),
    (_starts(b"BM"), BMP),
    (_riff(b"WAVE"), WAV),
    (_starts(b"fLaC"), FLAC),
    (_ogg_with(b"OpusHead"), OPUS),
    (_ogg_with(b"\x01vorbis"), VORBIS),
    (lambda head: head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"), AIFF),
    (_mp3, MP3),
)

# Recognised so the report can name them, but not imported.
KNOWN_UNSUPPORTED: tuple[tuple[Callable[[bytes], bool], str], ...] = (
    (_starts(b"%PDF"), "PDF document"),
    (_starts(b"PK\x03\x04"), "ZIP archive (or an Office document)"),
    (lambda head: head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"), "HEIC image"),
    (lambda head: head[4:12] == b"ftypavif", "AVIF image"),
    (lambda head: head[4:8] == b"ftyp", "MP4/QuickTime video or audio"),
    (_starts(b"\x1aE\xdf\xa3"), "Matroska/WebM video"),
    (_starts(b"8BPS"), "Photoshop document"),
    (_starts(b"\x7fELF"), "program file"),
    (_starts(b"MZ"), "Windows program file"),
    (_starts(b"SQLite format 3\x00"), "SQLite database"),
)

# Extensions a person would expect to be an image or a sound: garbage under one of these names is
# a failed import ("not a valid JPEG"), garbage under any other name is merely unsupported.
MEDIA_EXTENSIONS: frozenset[str] = frozenset(ext for _, fmt in MEDIA_FORMATS for ext in fmt.extensions)


def sniff_media(head: bytes) -> MediaFormat | None:
    """The importable format these leading bytes start, or None."""
    for matches, fmt in MEDIA_FORMATS:
        if matches(head):
            return fmt
    return None


def describe_unsupported(head: bytes) -> str | None:
    for matches, name in KNOWN_UNSUPPORTED:
        if matches(head):
            return name
    return None


def format_for_extension(ext: str) -> MediaFormat | None:
    for _, fmt in MEDIA_FORMATS:
        if ext in fmt.extensions:
            return fmt
    return None


def file_extension(filename: str) -> str:
    """Lower case, without the dot; '' when the name has none."""
    stem, dot, ext = PurePath(filename).name.rpartition(".")
    if not dot or not stem:
        return ""
    return ext.lower()[:32]


def display_path(path: str | os.PathLike[str]) -> str:
    """A path safe to print or show: bytes that are not UTF-8 appear as `\\xNN`.

    Paths come from the OS through `os.fsdecode`, which keeps undecodable bytes as lone
    surrogates; those cannot be printed, stored in SQLite or shown by Qt.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


# Perceptual hashes (the same definitions as the `imagehash` package, in numpy).

PHASH_SIZE = 32
HASH_SIDE = 8


@cache
def _dct_matrix(n: int) -> npt.NDArray[np.float64]:
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    matrix: npt.NDArray[np.float64] = np.cos(np.pi * (2 * i + 1) * k / (2 * n))
    return matrix


def _bits_to_signed(bits: npt.NDArray[np.bool_]) -> int:
    """64 bits, first bit most significant, as a signed 64-bit integer (what SQLite stores)."""
    return int.from_bytes(np.packbits(bits.ravel()).tobytes(), "big", signed=True)


def _grey(image: Image.Image, size: tuple[int, int]) -> npt.NDArray[np.float64]:
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGBA").convert("RGB") if "A" in image.getbands() else image.convert("RGB")
    small = image.convert("L").resize(size, Image.Resampling.LANCZOS)
    return np.asarray(small, dtype=np.float64)


def perceptual_hashes(image: Image.Image) -> tuple[int, int]:
    """(phash, dhash) as signed 64-bit integers; compare by Hamming distance of their bits."""
    pixels = _grey(image, (PHASH_SIZE, PHASH_SIZE))
    dct = _dct_matrix(PHASH_SIZE)
    low = (dct @ pixels @ dct.T)[:HASH_SIDE, :HASH_SIDE]
    phash = _bits_to_signed(low > np.median(low))
    diff = _grey(image, (HASH_SIDE + 1, HASH_SIDE))
    dhash = _bits_to_signed(diff[:, 1:] > diff[:, :-1])
    return phash, dhash


def hamming_distance(a: int, b: int) -> int:
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()
