"""Animated GIF, WebP and APNG in the preview: the frames come decoded from a worker thread (at
preview size, within a memory budget), and a clock steps through them at the file's own frame
durations, looping, until the preview shows something else or is hidden."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QImage

# Animations are decoded no larger than this on their long side: frames are kept in memory, and
# the panel (or the full-window preview) rarely shows more.
MAX_ANIMATION_EDGE = 1280


@dataclass(frozen=True)
class AnimatedPicture:
    frames: list[QImage]
    durations_ms: list[int]
    frame_count: int  # the file's, which may be more than were decoded

    @property
    def complete(self) -> bool:
        return len(self.frames) >= self.frame_count


def decode_animation(path: Path, name: str, max_edge: int = MAX_ANIMATION_EDGE) -> AnimatedPicture | None:
    """Runs in a worker thread: the file's frames ready to paint, or None when it is not an
    animated picture. Raises ValueError saying why an animation cannot be decoded."""
    from dam_desktop.use_cases.previews import MediaError, animation_frames

    try:
        animation = animation_frames(path, name, max_edge)
    except MediaError as exc:
        raise ValueError(str(exc)) from exc
    if animation is None:
        return None
    width, height = animation.width, animation.height
    # Premultiplied now, in the worker, so that showing a frame is a plain copy.
    frames = [
        QImage(data, width, height, 4 * width, QImage.Format.Format_RGBA8888).convertToFormat(
            QImage.Format.Format_ARGB32_Premultiplied
        )
        for data in animation.frames
    ]
    return AnimatedPicture(frames, list(animation.durations_ms), animation.frame_count)


class FrameClock(QObject):
    """Says which frame to show, when. `frame_changed` carries the new frame's index."""

    frame_changed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._advance)
        self._durations: list[int] = []
        self.index = 0

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self, durations_ms: list[int]) -> None:
        self._durations = list(durations_ms)
        self.index = 0
        self.resume()

    def resume(self) -> None:
        if len(self._durations) > 1 and not self._timer.isActive():
            self._timer.start(self._durations[self.index])

    def pause(self) -> None:
        self._timer.stop()

    def stop(self) -> None:
        self._timer.stop()
        self._durations = []
        self.index = 0

    def _advance(self) -> None:
        if not self._durations:
            return
        self.index = (self.index + 1) % len(self._durations)
        self._timer.start(self._durations[self.index])
        self.frame_changed.emit(self.index)
