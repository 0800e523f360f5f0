"""Video through PyAV (FFmpeg in the wheel): a poster frame for the thumbnail, and duration,
dimensions, frame rate, codecs and creation date.

The poster is a representative frame, not the first: clips open on black, on a fade or on a slate.
Candidates at 20%, 40%, 60% and 10% of the duration are reached by seeking to the keyframe before
each and decoding forward to it (decoding from the start to 20% of a one-minute 1080p clip costs
hundreds of frames; see benchmarks/import_bench.py), and the first whose picture is not nearly flat
wins, else the busiest of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from dam_desktop.services.media.av_audio_probe import av_reason
from dam_desktop.services.media.av_audio_probe import probe as probe_sound
from dam_desktop.services.media.media_facts import ImageFacts, MediaError, Probe, Source, VideoFacts
from dam_desktop.services.media.thumbnails import THUMBNAIL_SIZE
from dam_desktop.utils.av_waveform import quiet_ffmpeg
from dam_desktop.utils.media_utils import M4A, MediaFormat
from dam_desktop.utils.native_messages import ffmpeg_section

POSTER_FRACTIONS = (0.2, 0.4, 0.6, 0.1)
# A picture whose luma varies less than this (out of 255) is black, white or a flat slate.
FLAT_LUMA_STD = 12.0
# Decoding forward from a keyframe stops here: a file with no keyframes to seek to is not decoded
# to its end for one picture.
MAX_FORWARD_FRAMES = 600


@dataclass(frozen=True)
class Poster:
    image: Image.Image
    seconds: float
    interest: float
    sideways: bool = False  # turned by 90° or 270° to be shown upright


def probe(source: Source, fmt: MediaFormat) -> Probe:
    import av

    quiet_ffmpeg()
    try:
        # What FFmpeg says about this clip ("moov atom not found") goes into its notes.
        with ffmpeg_section(), av.open(str(source) if isinstance(source, Path) else source) as container:
            if not container.streams.video:
                if container.streams.audio:
                    # An MP4 or Matroska file with only sound: a sound.
                    return _as_sound(source)
                raise MediaError(f"{fmt.name} holds no video or sound stream")
            return _probe_container(container, fmt)
    except MediaError:
        raise
    except (av.FFmpegError, OSError, ValueError, EOFError) as exc:
        raise MediaError(f"corrupt or unreadable {fmt.name}: {av_reason(exc)}") from exc
    except MemoryError as exc:
        raise MediaError(f"not enough memory to decode this {fmt.name}") from exc


def _as_sound(source: Source) -> Probe:
    if not isinstance(source, Path):
        source.seek(0)
    sound = probe_sound(source, M4A)
    return Probe(thumbnail=sound.thumbnail, audio=sound.audio, format=M4A)


def clip_duration(container: Any, stream: Any) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / 1_000_000
    return 0.0


def _created(container: Any, stream: Any) -> datetime | None:
    for metadata in (container.metadata, stream.metadata):
        text = metadata.get("creation_time") or metadata.get("date")
        if text:
            try:
                return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
            except ValueError:
                continue
    return None


def display_size(stream: Any) -> tuple[int, int]:
    """Width and height as shown: anamorphic pixels stretched by their aspect ratio."""
    context = stream.codec_context
    width, height = int(context.width), int(context.height)
    sar = stream.sample_aspect_ratio or context.sample_aspect_ratio
    if sar and Fraction(sar) not in (0, 1):
        width = round(width * Fraction(sar))
    return width, height


def shrunk_frame(frame: Any, size: tuple[int, int]) -> Image.Image:
    width, height = size
    scale = min(1.0, THUMBNAIL_SIZE / max(width, height, 1))
    image: Image.Image = frame.to_image(
        width=max(1, round(width * scale)), height=max(1, round(height * scale))
    )
    rotation = _rotation(frame)
    if rotation:
        image = image.rotate(rotation, expand=True)
    return image


def _rotation(frame: Any) -> int:
    """Degrees counter-clockwise that show the frame upright (its display matrix), 0..359."""
    return round(float(getattr(frame, "rotation", 0) or 0)) % 360


def interest(image: Image.Image) -> float:
    return float(np.asarray(image.convert("L"), dtype=np.float32).std())


def frame_at(container: Any, stream: Any, seconds: float) -> Any | None:
    """The first frame at or after `seconds`: seek to the keyframe before it, decode forward."""
    target = int(seconds / stream.time_base) if stream.time_base else 0
    if seconds > 0:
        container.seek(target + int(stream.start_time or 0), stream=stream, backward=True)
    last = None
    for count, frame in enumerate(container.decode(stream)):
        last = frame
        if frame.pts is None or frame.time is None or frame.time >= seconds - 1e-3:
            return frame
        if count >= MAX_FORWARD_FRAMES:
            return frame
    return last


def poster(container: Any, stream: Any, duration: float, size: tuple[int, int]) -> Poster:
    best: Poster | None = None
    fractions = POSTER_FRACTIONS if duration > 0 else (0.0,)
    for fraction in fractions:
        seconds = duration * fraction
        frame = frame_at(container, stream, seconds)
        if frame is None:
            continue
        image = shrunk_frame(frame, size)
        sideways = _rotation(frame) in (90, 270)
        candidate = Poster(image, float(frame.time or seconds), interest(image), sideways)
        if best is None or candidate.interest > best.interest:
            best = candidate
        if candidate.interest >= FLAT_LUMA_STD:
            break
    if best is None:
        raise MediaError("no frame of the video could be decoded")
    return best


def _probe_container(container: Any, fmt: MediaFormat) -> Probe:
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    width, height = display_size(stream)
    if width <= 0 or height <= 0:
        raise MediaError(f"corrupt {fmt.name}: the video stream has no picture size")
    duration = clip_duration(container, stream)
    rate = stream.average_rate or stream.guessed_rate
    audio = container.streams.audio[0] if container.streams.audio else None
    try:
        chosen = poster(container, stream, duration, (width, height))
    finally:
        # Frame threads may still be decoding packets handed to them: wait for them here, so that
        # what they say is this clip's notes and not the next clip's.
        stream.codec_context.flush_buffers()
    thumbnail = chosen.image
    if chosen.sideways:
        width, height = height, width  # a phone clip stored sideways, shown upright
    frames = int(stream.frames or (round(duration * float(rate)) if rate else 0))
    created = _created(container, stream)
    image = ImageFacts(
        width=width,
        height=height,
        mode=str(stream.codec_context.pix_fmt or "video")[:16],
        is_animated=True,
        frame_count=max(frames, 1),
        exif_orientation=None,
        exif_datetime=created,
        camera_make=None,
        camera_model=None,
    )
    video = VideoFacts(
        duration_seconds=duration,
        frame_rate=float(rate) if rate else None,
        video_codec=stream.codec_context.name,
        audio_codec=audio.codec_context.name if audio is not None else None,
        created_at=created,
    )
    return Probe(thumbnail=thumbnail, image=image, video=video)
