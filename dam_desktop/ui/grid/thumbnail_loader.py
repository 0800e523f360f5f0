"""Loads thumbnails off the GUI thread through a bounded priority queue.

The grid tells the loader which tiles it wants, most wanted first (the visible rows, then the
next screen). Each call replaces the queue: requests for tiles that scrolled away are dropped
before any work is spent on them, and the queue never holds more than `max_pending` requests.
Worker threads decode the WebP files into QImages (QImage is safe off the GUI thread; QPixmap is
not) and hand them back through queued signals, never touching the loader itself.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from dam_desktop.ui.image_decode import decode_scaled


@dataclass(frozen=True)
class ThumbnailRequest:
    entity_id: int
    path: Path
    size: int  # the tile's edge in device pixels; the image is decoded to fit it
    # The sharper thumbnail to decode instead when it exists (zooms above the usual one's size).
    large: Path | None = None


class ThumbnailQueue:
    """Thread-safe: the GUI replaces the wanted list, workers pop from its front."""

    def __init__(self, max_pending: int = 512) -> None:
        self.max_pending = max_pending
        self._pending: deque[ThumbnailRequest] = deque()
        self._in_flight: set[int] = set()
        self._closed = False
        self._condition = threading.Condition()

    def replace(self, requests: Iterable[ThumbnailRequest]) -> None:
        with self._condition:
            fresh: deque[ThumbnailRequest] = deque()
            seen: set[int] = set()
            for request in requests:
                if request.entity_id in self._in_flight or request.entity_id in seen:
                    continue
                seen.add(request.entity_id)
                fresh.append(request)
                if len(fresh) >= self.max_pending:
                    break
            self._pending = fresh
            self._condition.notify_all()

    def clear(self) -> None:
        with self._condition:
            self._pending.clear()

    def pending_ids(self) -> list[int]:
        with self._condition:
            return [request.entity_id for request in self._pending]

    def pop(self) -> ThumbnailRequest | None:
        """Block until there is work; None once the queue is closed."""
        with self._condition:
            while not self._pending and not self._closed:
                self._condition.wait()
            if self._closed:
                return None
            request = self._pending.popleft()
            self._in_flight.add(request.entity_id)
            return request

    def done(self, entity_id: int) -> None:
        with self._condition:
            self._in_flight.discard(entity_id)

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._pending.clear()
            self._condition.notify_all()


class _Reports(QObject):
    """Where workers report: an object of no parent, kept alive by the workers themselves.

    A worker never touches the loader. Qt deletes the loader with its parent (the window), and a
    worker emitting on it while its destructor ran crashed the process (a race `except
    RuntimeError` cannot catch). This object outlives every worker; its signals reach the loader
    through queued connections, which Qt drops safely when the loader goes.
    """

    loaded = Signal(int, QImage, int)
    missing = Signal(int)
    large_missing = Signal(int)


class _Gate:
    """Held while a worker reports: once `close` has run, no worker reports again, even one whose
    decode outlived the shutdown's join (a slow disk or share)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.closed = False

    def close(self) -> None:
        with self.lock:
            self.closed = True


def _work(queue: ThumbnailQueue, reports: _Reports, gate: _Gate) -> None:
    while (request := queue.pop()) is not None:
        large = request.large if request.large is not None and request.large.is_file() else None
        try:
            path = large or request.path
            image = decode_scaled(path, request.size) if path.is_file() else QImage()
        except Exception:
            image = QImage()
        finally:
            queue.done(request.entity_id)
        with gate.lock:
            if gate.closed:
                return
            if request.large is not None and large is None:
                reports.large_missing.emit(request.entity_id)
            if image.isNull():
                reports.missing.emit(request.entity_id)
            else:
                reports.loaded.emit(request.entity_id, image, request.size)


def _stopper(queue: ThumbnailQueue, gate: _Gate) -> Callable[[], None]:
    def stop() -> None:
        gate.close()
        queue.close()

    return stop


class ThumbnailLoader(QObject):
    loaded = Signal(int, QImage, int)  # entity id, image, the size it was decoded for
    missing = Signal(int)  # no thumbnail file (yet), or it could not be read
    large_missing = Signal(int)  # a large thumbnail was asked for and is not made yet

    def __init__(self, workers: int = 2, max_pending: int = 512, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.queue = ThumbnailQueue(max_pending)
        self._workers = workers
        self._threads: list[threading.Thread] = []
        self._gate = _Gate()
        self._reports = _Reports()
        self._reports.loaded.connect(self.loaded)
        self._reports.missing.connect(self.missing)
        self._reports.large_missing.connect(self.large_missing)
        # Deleted without a shutdown (its parent went first): the workers stop all the same. The
        # slot is the queue's and the gate's, not the loader's, which is half gone by then.
        self.destroyed.connect(_stopper(self.queue, self._gate))

    def request(self, requests: Iterable[ThumbnailRequest]) -> None:
        self.queue.replace(requests)
        if not self._threads:
            # Started with the first request, not with the window: each Thread.start waits for
            # its thread to run, a few milliseconds of a busy machine before the first paint.
            self._threads = [
                threading.Thread(
                    target=_work,
                    args=(self.queue, self._reports, self._gate),
                    name=f"dam-thumbnails-{n}",
                    daemon=True,
                )
                for n in range(self._workers)
            ]
            for thread in self._threads:
                thread.start()

    def cancel(self) -> None:
        self.queue.clear()

    def shutdown(self) -> None:
        self.queue.close()
        self._gate.close()
        for thread in self._threads:
            thread.join(timeout=2)
