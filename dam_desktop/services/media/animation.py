"""The frames of an animated GIF, WebP or PNG (APNG) for the inspector, with each frame's time on
screen. Runs in a worker thread.

Frames are decoded at preview size and stop at a memory budget: a 500-frame 4K GIF would
otherwise need gigabytes as RGBA. An animation cut short says so (`complete` is False) and loops
over what was decoded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from dam_desktop.services.media.media_facts import MediaError
from dam_desktop.utils.media_utils import SNIFF_BYTES, sniff_media

ANIMATED_FORMATS = frozenset({"GIF", "WEBP", "PNG"})
MAX_FRAMES = 600
MAX_BYTES = 256 * 1024 * 1024
# Browsers show frames asking for 10 ms or less for 100 ms: such GIFs were made for that speed.
MIN_DURATION_MS = 20
DEFAULT_DURATION_MS = 100


@dataclass
class Animation:
    """RGBA frames (tightly packed bytes), all `width` × `height`, and their durations in ms."""

    width: int
    height: int
    frames: list[bytes] = field(default_factory=list)
    durations_ms: list[int] = field(default_factory=list)
    frame_count: int = 0  # how many the file has
    complete: bool = True


def frame_duration(info: Mapping[Any, Any]) -> int:
    value = info.get("duration")
    duration = int(value) if isinstance(value, int | float) else 0
    return DEFAULT_DURATION_MS if duration <= 10 else max(MIN_DURATION_MS, duration)


def read_animation(
    path: Path, name: str, max_edge: int, max_frames: int = MAX_FRAMES, max_bytes: int = MAX_BYTES
) -> Animation | None:
    """The file's frames fitted in a `max_edge` square, or None when it is not an animated GIF,
    WebP or PNG (a still picture, or another format)."""
    with path.open("rb") as handle:
        fmt = sniff_media(handle.read(SNIFF_BYTES), name or path.name)
    if fmt is None or fmt.decoder != "pillow" or fmt.pil_format not in ANIMATED_FORMATS:
        return None
    try:
        with Image.open(path, formats=[fmt.pil_format]) as image:
            if not getattr(image, "is_animated", False):
                return None
            return _frames(image, max_edge, max_frames, max_bytes)
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise MediaError(f"cannot decode this animation: {exc}") from exc


def _frames(image: Image.Image, max_edge: int, max_frames: int, max_bytes: int) -> Animation:
    total = int(getattr(image, "n_frames", 1))
    size = image.size
    if max(size) > max_edge:
        scale = max_edge / max(size)
        size = (max(1, round(size[0] * scale)), max(1, round(size[1] * scale)))
    frame_bytes = size[0] * size[1] * 4
    limit = max(1, min(total, max_frames, max_bytes // frame_bytes))
    animation = Animation(width=size[0], height=size[1], frame_count=total, complete=limit >= total)
    for index in range(limit):
        image.seek(index)
        frame = image.convert("RGBA")
        if frame.size != size:
            frame = frame.resize(size, Image.Resampling.BILINEAR)
        animation.frames.append(frame.tobytes())
        animation.durations_ms.append(frame_duration(image.info))
    return animation


__all__ = ["Animation", "MediaError", "read_animation"]
