"""Decode a file once and get everything the import needs from it: properties, hashes, thumbnail.

Pillow's formats (HEIC through pillow-heif) and libsndfile's sounds are read here; the other
decoders (PyAV for video and other sounds, LibRaw, QtSvg, pdfium, FreeType) have a module each.

Runs in worker threads (Pillow, numpy and libsndfile release the GIL). Every way a file can be
bad ends in `MediaError` with a sentence a person can act on; nothing else escapes for bad input.

Audio is read through soundfile. This build's libsndfile (1.2) reads WAV, FLAC, Ogg/Vorbis,
Opus, MP3 and AIFF (`soundfile.available_formats()` lists MP3 and OGG; OGG's subtypes include
VORBIS and OPUS).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import cache
from importlib import import_module
from pathlib import Path

import soundfile as sf
from PIL import Image, UnidentifiedImageError

from dam_desktop.services.media.audio_tags import read_audio_tags
from dam_desktop.services.media.media_facts import (
    AudioFacts,
    ImageFacts,
    MediaError,
    Probe,
    Source,
)
from dam_desktop.services.media.thumbnails import THUMBNAIL_SIZE, WAVEFORM_SIZE, render_waveform, shrink_image
from dam_desktop.utils.media_utils import MediaFormat, perceptual_hashes
from dam_desktop.utils.native_messages import install as install_message_hooks
from dam_desktop.utils.native_messages import stderr_section
from dam_desktop.utils.reduced_decode import decode_budget, decoded_bytes, load_reduced, prepare_reduced
from dam_desktop.utils.waveform import waveform_peaks

EXIF_ORIENTATION = 0x0112
EXIF_MAKE = 0x010F
EXIF_MODEL = 0x0110
EXIF_DATETIME = 0x0132
EXIF_IFD = 0x8769
EXIF_DATETIME_ORIGINAL = 0x9003
# Orientations 5-8 turn the picture by 90°, so its displayed width and height swap.
SWAPPING_ORIENTATIONS = frozenset({5, 6, 7, 8})


def probe_media(source: Source, fmt: MediaFormat) -> Probe:
    """Properties and a thumbnail of a file of this format, by the decoder its format names.

    What the decoders say meanwhile goes to the reading file's notes or the debug log
    (utils.native_messages), never to the terminal, whoever asks: an import or the pipeline."""
    install_message_hooks()
    return _prober(fmt)(source, fmt)


def _prober(fmt: MediaFormat) -> Callable[[Source, MediaFormat], Probe]:
    # The decoders beyond Pillow and libsndfile load on first use: a library of JPEGs and WAVs
    # never imports PyAV, LibRaw, pdfium or Qt's SVG module.
    if fmt.decoder == "pillow":
        if fmt.pil_format == "HEIF":
            register_heif()
        return probe_image
    if fmt.decoder == "soundfile":
        return probe_audio
    module = import_module(f"dam_desktop.services.media.{LAZY_PROBERS[fmt.decoder]}")
    prober: Callable[[Source, MediaFormat], Probe] = module.probe
    return prober


LAZY_PROBERS: dict[str, str] = {
    "av_audio": "av_audio_probe",
    "av_video": "video_probe",
    "raw": "raw_probe",
    "svg": "svg_probe",
    "pdf": "document_probe",
    "font": "font_probe",
}


@cache
def register_heif() -> None:
    """Teach Pillow HEIC/HEIF (pillow-heif), once per process."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def exif_text(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    text = value.replace("\x00", "").strip()
    return text[:255] or None


def exif_datetime(value: object) -> datetime | None:
    text = exif_text(value)
    if not text:
        return None
    try:
        return datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def exif_facts(image: Image.Image) -> tuple[int | None, datetime | None, str | None, str | None]:
    """(orientation, date taken, camera make, camera model); all None when the EXIF is unreadable."""
    try:
        exif = image.getexif()
        orientation_value = exif.get(EXIF_ORIENTATION)
        orientation = int(orientation_value) if isinstance(orientation_value, int) else None
        exif_ifd = exif.get_ifd(EXIF_IFD) if exif else {}
        taken = exif_datetime(exif_ifd.get(EXIF_DATETIME_ORIGINAL) or exif.get(EXIF_DATETIME))
        return orientation, taken, exif_text(exif.get(EXIF_MAKE)), exif_text(exif.get(EXIF_MODEL))
    except Exception:  # EXIF written by odd software: the picture is still fine
        return None, None, None, None


def _open_image(source: Source, fmt: MediaFormat) -> Image.Image:
    formats = [fmt.pil_format] if fmt.pil_format else None
    try:
        with warnings.catch_warnings():
            # Above MAX_IMAGE_PIXELS Pillow only warns; above twice that it refuses (the error below).
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(source, formats=formats)
    except Image.DecompressionBombError as exc:
        raise MediaError(f"image is too large to decode safely (possible decompression bomb): {exc}") from exc
    except UnidentifiedImageError as exc:
        raise MediaError(
            f"corrupt or unreadable {fmt.name}: the file starts like one but cannot be read"
        ) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaError(f"corrupt or unreadable {fmt.name}: {exc}") from exc


def probe_image(source: Source, fmt: MediaFormat) -> Probe:
    image = _open_image(source, fmt)
    try:
        return _probe_open_image(image, source)
    except MediaError:
        raise
    except Image.DecompressionBombError as exc:
        raise MediaError(f"image is too large to decode safely (possible decompression bomb): {exc}") from exc
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError) as exc:
        # Pillow reports truncated and corrupt data as any of these, depending on the plugin.
        raise MediaError(f"corrupt or truncated {fmt.name}: {exc}") from exc
    except MemoryError as exc:
        raise MediaError(f"not enough memory to decode this {fmt.name}") from exc
    finally:
        image.close()


def draft_box(size: tuple[int, int]) -> tuple[int, int]:
    """The smallest decode that still covers the thumbnail: the thumbnail's own box, in the image's
    aspect ratio. Pillow picks the largest DCT scale whose result covers the box in both sides, so
    a square box asks too much of the short side: a 640x480 JPEG then decodes at full size instead
    of at half (measured: 16 ms against 9 ms for decode plus shrink)."""
    width, height = size
    if width >= height:
        return THUMBNAIL_SIZE, max(1, -(-THUMBNAIL_SIZE * height // max(width, 1)))
    return max(1, -(-THUMBNAIL_SIZE * width // height)), THUMBNAIL_SIZE


def _probe_open_image(image: Image.Image, source: Source) -> Probe:
    width, height = image.size
    mode = image.mode
    frame_count = int(getattr(image, "n_frames", 1))
    is_animated = bool(getattr(image, "is_animated", False))
    orientation, taken, make, model = exif_facts(image)
    if orientation in SWAPPING_ORIENTATIONS:
        width, height = height, width
    facts = ImageFacts(
        width=width,
        height=height,
        mode=mode,
        is_animated=is_animated,
        frame_count=frame_count,
        exif_orientation=orientation,
        exif_datetime=taken,
        camera_make=make,
        camera_model=model,
    )
    # Decoded at the smallest size the decoder can give (JPEG's DCT scaling, Qt's scaling WebP
    # reader), within the process's decode budget, and only the thumbnail outlives the block: a
    # full-size picture is never copied, and turned upright only once it is thumbnail-sized.
    box = draft_box(image.size)
    prepare_reduced(image, box)
    with decode_budget(decoded_bytes(image)):
        pixels = load_reduced(image, source, box)
        thumbnail = upright(shrink_image(pixels), orientation)
        del pixels
    phash, dhash = perceptual_hashes(thumbnail)
    return Probe(thumbnail=thumbnail, image=facts, phash=phash, dhash=dhash)


# EXIF orientation -> the turn that shows the picture upright (as ImageOps.exif_transpose).
UPRIGHT_TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def upright(image: Image.Image, orientation: int | None) -> Image.Image:
    turn = UPRIGHT_TURNS.get(orientation or 1)
    return image if turn is None else image.transpose(turn)


def probe_audio(source: Source, fmt: MediaFormat) -> Probe:
    # libsndfile's MP3 decoder (libmpg123) prints damage on stderr: it goes into the file's notes.
    quiet = stderr_section("libmpg123") if fmt.mime_type == "audio/mpeg" else contextlib.nullcontext()
    try:
        with quiet, sf.SoundFile(source) as sound:
            if sound.samplerate <= 0 or sound.channels <= 0:
                raise MediaError(f"corrupt {fmt.name}: no sample rate or channels")
            lows, highs = waveform_peaks(sound, WAVEFORM_SIZE[0])
            facts = AudioFacts(
                duration_seconds=float(sound.frames) / float(sound.samplerate),
                sample_rate=int(sound.samplerate),
                channels=int(sound.channels),
                audio_format=str(sound.format),
                subtype=str(sound.subtype) if sound.subtype else None,
            )
    except MediaError:
        raise
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError, OSError) as exc:
        message = str(exc).removeprefix("Error opening ").split(": ", 1)[-1]
        if message.startswith("Unspecified internal error"):  # libsndfile's word for bad frames
            message = "the audio data is damaged"
        # What libsndfile cannot read, FFmpeg may (MP3 variants, odd WAV codecs); its reason
        # stands only when FFmpeg cannot either.
        if not isinstance(source, Path):
            source.seek(0)
        try:
            return _prober(replace(fmt, decoder="av_audio"))(source, fmt)
        except MediaError:
            raise MediaError(f"corrupt or unreadable {fmt.name}: {message}") from exc
    except MemoryError as exc:
        raise MediaError(f"not enough memory to read this {fmt.name}") from exc
    if len(lows) == 0:
        raise MediaError(f"{fmt.name} holds no sound (0 samples)")
    facts = replace(facts, tags=read_audio_tags(source))
    return Probe(thumbnail=render_waveform(lows, highs), audio=facts)


__all__ = ["AudioFacts", "ImageFacts", "MediaError", "Probe", "Source", "probe_media"]
