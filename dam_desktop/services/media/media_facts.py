"""What a probe learns about a file: its properties by kind, a thumbnail, perceptual hashes.

Every way a file can be bad ends in `MediaError` with a sentence a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from dam_desktop.utils.media_utils import MediaFormat


class MediaError(Exception):
    """The file cannot be imported; `str()` says why, for the import report."""


@dataclass(frozen=True)
class ImageFacts:
    width: int
    height: int
    mode: str
    # A still picture's values by default: one frame, and none of a camera's facts.
    is_animated: bool = False
    frame_count: int = 1
    exif_orientation: int | None = None
    exif_datetime: datetime | None = None
    camera_make: str | None = None
    camera_model: str | None = None


@dataclass(frozen=True)
class AudioTags:
    """Tags a musician's files carry (ID3, MP4, Vorbis comments), as mutagen reads them."""

    title: str | None = None
    artist: str | None = None
    album: str | None = None
    genre: str | None = None
    bpm: float | None = None
    musical_key: str | None = None


@dataclass(frozen=True)
class AudioFacts:
    duration_seconds: float
    sample_rate: int
    channels: int
    audio_format: str
    subtype: str | None
    tags: AudioTags = AudioTags()


@dataclass(frozen=True)
class VideoFacts:
    duration_seconds: float
    frame_rate: float | None
    video_codec: str
    audio_codec: str | None
    created_at: datetime | None


@dataclass(frozen=True)
class DocumentFacts:
    """PDFs and fonts: a page count (PDF), and a title (the PDF's, or the font's family and style)."""

    page_count: int | None
    title: str | None


@dataclass(frozen=True)
class Probe:
    thumbnail: Image.Image
    image: ImageFacts | None = None
    audio: AudioFacts | None = None
    video: VideoFacts | None = None
    document: DocumentFacts | None = None
    phash: int | None = None
    dhash: int | None = None
    # Set when decoding showed the file is another kind than its header said (an MP4 holding
    # only sound is audio).
    format: MediaFormat | None = None


Source = BinaryIO | Path
