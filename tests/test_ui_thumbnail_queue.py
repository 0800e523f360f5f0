"""The thumbnail queue: visible tiles first, stale requests dropped, bounded; the cache keeps a
byte budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QPixmap

from dam_desktop.ui.grid.thumbnail_cache import ThumbnailCache
from dam_desktop.ui.grid.thumbnail_loader import ThumbnailQueue, ThumbnailRequest


def request(entity_id: int) -> ThumbnailRequest:
    return ThumbnailRequest(entity_id, Path(f"/nowhere/{entity_id}.webp"), 160)


def test_a_new_wanted_list_replaces_the_old_one_and_keeps_its_order() -> None:
    queue = ThumbnailQueue(max_pending=100)
    queue.replace(request(n) for n in range(10))
    queue.replace(request(n) for n in (42, 43, 5))  # scrolled: rows 0-9 are stale except 5
    assert queue.pending_ids() == [42, 43, 5]
    first = queue.pop()
    assert first is not None and first.entity_id == 42


def test_the_queue_is_bounded_and_skips_work_in_flight() -> None:
    queue = ThumbnailQueue(max_pending=4)
    queue.replace(request(n) for n in range(100))
    assert queue.pending_ids() == [0, 1, 2, 3]
    in_flight = queue.pop()
    assert in_flight is not None
    queue.replace(request(n) for n in range(6))
    assert queue.pending_ids() == [1, 2, 3, 4], "an image being decoded is not asked for twice"
    queue.done(in_flight.entity_id)
    queue.close()
    assert queue.pop() is None


def test_the_cache_evicts_least_recently_used_beyond_its_budget(qapp: Any) -> None:
    cache = ThumbnailCache(budget_mb=1)  # 1 MiB: four 256x256 RGBA pixmaps
    for n in range(4):
        cache.put(n, QPixmap(256, 256), 256)
    assert len(cache) == 4
    cache.get(0)  # recently used: survives
    cache.put(4, QPixmap(256, 256), 256)
    assert 0 in cache and 1 not in cache and 4 in cache
    assert cache.used_bytes <= cache.budget_bytes


def test_the_cache_keeps_a_few_screens_of_the_grid_below_its_budget(qapp: Any) -> None:
    from dam_desktop.ui.grid.thumbnail_cache import FLOOR_BYTES, SCREENS_KEPT

    cache = ThumbnailCache(budget_mb=256)
    for n in range(40):  # 160 MiB of 4 MiB pictures: within the preference
        cache.put(n, QPixmap(1024, 1024), 1024)
    assert len(cache) == 40
    screen = 4 * 1024 * 1024  # one tile of 1024 px fills the screen
    cache.fit_screen(screen)
    assert cache.used_bytes <= SCREENS_KEPT * screen and len(cache) == SCREENS_KEPT
    assert 39 in cache and 31 not in cache  # the most recently shown stay
    cache.fit_screen(1024)  # tiny tiles: the floor holds
    assert cache.used_bytes <= FLOOR_BYTES and len(cache) == FLOOR_BYTES // screen
    cache.set_budget_mb(4)  # a preference below what the screens would keep still bounds it
    assert len(cache) == 1


class _StalledShare:
    """A thumbnail on a disk or share that stalls: reading it waits until the test lets it."""

    def __init__(self, folder: Path) -> None:
        import threading

        from PySide6.QtGui import QColor, QImage

        thumb = folder / "thumb.png"
        image = QImage(16, 16, QImage.Format.Format_RGB32)
        image.fill(QColor(200, 40, 40))
        assert image.save(str(thumb))
        self.reading, self.stalled = threading.Event(), threading.Event()
        share = self

        class StalledPath(type(Path())):
            def is_file(self) -> bool:
                share.reading.set()
                share.stalled.wait(30)
                return super().is_file()

        self.path: Path = StalledPath(thumb)


def test_a_loader_shut_down_while_it_reads_a_thumbnail_never_reports_that_thumbnail(
    qtbot: Any, tmp_path: Path
) -> None:
    """A thumbnail on a disk or share that stalls may outlast the window's shutdown: its worker
    must not report it afterwards, on a loader Qt may already have deleted."""
    from PySide6.QtCore import Qt

    from dam_desktop.ui.grid.thumbnail_loader import ThumbnailLoader

    share = _StalledShare(tmp_path)
    loader = ThumbnailLoader(workers=1)
    heard: list[int] = []
    direct = Qt.ConnectionType.DirectConnection
    loader.loaded.connect(lambda entity_id, *_: heard.append(entity_id), direct)
    loader.missing.connect(heard.append, direct)
    loader.request([ThumbnailRequest(7, share.path, 16)])
    assert share.reading.wait(30)
    loader.shutdown()  # its join gives up on the stalled worker
    share.stalled.set()
    worker = loader._threads[0]
    worker.join(30)
    assert not worker.is_alive()
    assert heard == []


def test_a_loader_deleted_with_its_window_stops_its_workers_and_reports_nothing(
    qtbot: Any, tmp_path: Path
) -> None:
    """A window Qt deletes before anything shut its grid down (a parent going first) takes the
    loader with it: its workers stop, even one mid-read, and none reports on the deleted loader
    (a worker emitting while the loader's destructor ran crashed the whole process)."""
    import shiboken6
    from PySide6.QtCore import QCoreApplication, QObject, Qt

    from dam_desktop.ui.grid.thumbnail_loader import ThumbnailLoader

    share = _StalledShare(tmp_path)
    window = QObject()
    loader = ThumbnailLoader(workers=2, parent=window)
    heard: list[int] = []
    direct = Qt.ConnectionType.DirectConnection
    loader.loaded.connect(lambda entity_id, *_: heard.append(entity_id), direct)
    loader.request([ThumbnailRequest(7, share.path, 16)])
    assert share.reading.wait(30)
    threads = list(loader._threads)
    shiboken6.delete(window)  # no shutdown: the loader goes with its parent
    assert not shiboken6.isValid(loader)
    share.stalled.set()
    for thread in threads:
        thread.join(30)
    assert [thread.is_alive() for thread in threads] == [False, False]
    QCoreApplication.processEvents()  # a report queued to the deleted loader would arrive (and crash) here
    assert heard == []
