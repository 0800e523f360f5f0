"""Hover-scrub strips: `SCRUB_STRIP_FRAMES` frames of a clip, at the middles of equal spans of it,
side by side in one small WebP beside its thumbnail. The grid shows the frame under the mouse
while it crosses a clip's tile, reading only this file: nothing is decoded while hovering.

Each frame is reached by seeking to the keyframe before it and decoding forward (as the poster is),
so a long clip costs a few GOPs, not a decode from its start. Made in the CPU pool by the scrub
strip stage (`systems.scrub_strip_system`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import SCRUB_STRIP_FRAMES, LibraryPaths
from dam_desktop.services.media.av_audio_probe import av_reason
from dam_desktop.services.media.media_facts import MediaError
from dam_desktop.services.media.thumbnail_service import ThumbnailSource, run_over_sources
from dam_desktop.services.media.thumbnails import encode_webp
from dam_desktop.services.media.video_probe import clip_duration, display_size, frame_at, shrunk_frame
from dam_desktop.services.store.storage import write_atomic
from dam_desktop.utils.av_waveform import quiet_ffmpeg
from dam_desktop.utils.media_utils import display_path


def strip_times(duration: float, frames: int = SCRUB_STRIP_FRAMES) -> list[float]:
    """Seconds into the clip of each frame: the middle of each of `frames` equal spans."""
    return [duration * (index + 0.5) / frames for index in range(frames)]


def clip_frames(path: Path, frames: int = SCRUB_STRIP_FRAMES) -> list[Image.Image]:
    """`frames` pictures of the clip, evenly spread, each at most thumbnail size and upright."""
    import av

    quiet_ffmpeg()
    try:
        with av.open(str(path), "r") as container:
            if not container.streams.video:
                raise MediaError("the file holds no video stream")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            return _frames(container, stream, frames)
    except MediaError:
        raise
    except (av.FFmpegError, OSError, ValueError, EOFError) as exc:
        raise MediaError(f"cannot decode this clip: {av_reason(exc)}") from exc


def _frames(container: Any, stream: Any, frames: int) -> list[Image.Image]:
    size = display_size(stream)
    pictures: list[Image.Image] = []
    for seconds in strip_times(clip_duration(container, stream), frames):
        frame = frame_at(container, stream, seconds)
        if frame is None:
            break
        pictures.append(shrunk_frame(frame, size).convert("RGB"))
    if not pictures:
        raise MediaError("no frame of the clip could be decoded")
    while len(pictures) < frames:  # a clip shorter than its header says: its last frame holds
        pictures.append(pictures[-1])
    return pictures


def strip_of(pictures: Sequence[Image.Image]) -> Image.Image:
    """The pictures side by side, each resized to the first one's size."""
    width, height = pictures[0].size
    strip = Image.new("RGB", (width * len(pictures), height))
    for index, picture in enumerate(pictures):
        strip.paste(
            picture if picture.size == (width, height) else picture.resize((width, height)),
            (index * width, 0),
        )
    return strip


def split_strip(strip: Image.Image, frames: int = SCRUB_STRIP_FRAMES) -> list[Image.Image]:
    """The frames of a strip made by `strip_of`."""
    width = strip.width // frames
    return [strip.crop((index * width, 0, (index + 1) * width, strip.height)) for index in range(frames)]


def make_scrub_strip(paths: LibraryPaths, source: ThumbnailSource) -> Path:
    """Decode the first readable copy of the clip and write its strip; MediaError saying why not."""
    reasons: list[str] = []
    for file in source.files:
        try:
            pictures = clip_frames(file)
        except FileNotFoundError:
            reasons.append(f"{display_path(file)}: file is missing")
        except MediaError as exc:
            reasons.append(f"{display_path(file)}: {exc}")
        else:
            final = paths.scrub_strip_path(source.sha256_hex)
            try:
                write_atomic(paths, final, encode_webp(strip_of(pictures)), durable=False)
            except OSError as exc:
                raise MediaError(f"could not write the scrub strip: {exc.strerror or exc}") from exc
            return final
    raise MediaError("no readable copy of the clip: " + ("; ".join(reasons) or "the asset has no location"))


async def make_scrub_strips(
    session: AsyncSession, paths: LibraryPaths, entity_ids: Sequence[int]
) -> dict[int, str]:
    """Make the strips of these clips in the CPU pool; returns {entity id: reason} for failures."""
    return await run_over_sources(session, paths, entity_ids, make_scrub_strip)
