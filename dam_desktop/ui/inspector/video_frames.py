"""Turning the video sink's frames into QImages on a thread of their own, never the GUI thread.

QVideoFrame.toImage() converts YUV to RGB (and may read the frame back from the GPU): a few
milliseconds a frame at 1080p, which on the GUI thread would take them from scrolling and typing.
Each frame the sink presents is queued to `offer` on the converter's thread (queued, not direct:
a direct call would need Python's lock in the decoder's thread, which `QMediaPlayer.stop()` on the
GUI thread waits for, holding that lock). Only the newest frame waits for conversion, so a slow
conversion drops frames instead of queueing them (and holding the decoder's buffers).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QImage

if TYPE_CHECKING:
    from PySide6.QtMultimedia import QVideoFrame


class FrameConverter(QObject):
    converted = Signal(QImage, int)  # the picture, and the generation it was offered in
    _wake = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._latest: tuple[QVideoFrame, int] | None = None
        self.generation = 0  # bumped by the player when it clears, so stale pictures are dropped
        self.conversion_threads: set[int] = set()  # the threads that converted (one: this one's)
        self._thread = QThread()
        self._thread.setObjectName("dam-video-frames")
        self.moveToThread(self._thread)
        self._wake.connect(self._convert, Qt.ConnectionType.QueuedConnection)
        self._thread.start()

    @Slot("QVideoFrame")
    def offer(self, frame: QVideoFrame) -> None:
        """On this thread: keep the newest frame, and wake the converter if it is idle; frames
        offered before the wake-up is handled replace that one."""
        with self._lock:
            idle = self._latest is None
            self._latest = (frame, self.generation)
        if idle:
            self._wake.emit()

    @Slot()
    def _convert(self) -> None:
        with self._lock:
            latest, self._latest = self._latest, None
        if latest is None:
            return
        frame, generation = latest
        if not frame.isValid():
            return
        self.conversion_threads.add(threading.get_ident())
        image = frame.toImage()
        if not image.isNull():
            self.converted.emit(image, generation)

    def stop(self) -> None:
        """Finish the conversion under way and end the thread (the player is going away)."""
        self._thread.quit()
        self._thread.wait()
