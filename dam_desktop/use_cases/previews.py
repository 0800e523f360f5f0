"""Pictures for the inspector's preview that Qt cannot decode itself (PSD, HEIC, RAW, SVG, PDF,
fonts ...) and the frames of animated pictures: called in a worker thread, never on the GUI thread."""

from __future__ import annotations

from pathlib import Path

from dam_desktop.services.media.animation import Animation, read_animation
from dam_desktop.services.media.previews import MediaError, as_rgba_bytes, render_preview

__all__ = ["Animation", "MediaError", "animation_frames", "preview_pixels"]


def preview_pixels(path: Path, name: str, max_edge: int) -> tuple[bytes, int, int] | None:
    """RGBA bytes, width and height of the file's picture fitted in a `max_edge` square; None when
    Qt's readers handle the format. Raises MediaError (or OSError) saying why it cannot be shown."""
    picture = render_preview(path, name, max_edge)
    return None if picture is None else as_rgba_bytes(picture)


def animation_frames(path: Path, name: str, max_edge: int) -> Animation | None:
    """The frames of an animated GIF, WebP or PNG at preview size (within a memory budget), or None
    for any other file. Raises MediaError (or OSError) when the animation cannot be decoded."""
    return read_animation(path, name, max_edge)
