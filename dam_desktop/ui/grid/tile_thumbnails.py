"""Which thumbnails the grid asks for, and what it does with the answers.

Visible rows first, then one screen below and above; each decoded at the tile's size in device
pixels (painting is then a blit). A tile whose thumbnail file is not there yet is remembered as
missing, so it is not asked for on every scroll step, until `retry` says it may exist now (the
thumbnail stage made it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QImage, QPixmap

from dam_desktop.ui.grid.thumbnail_cache import ThumbnailCache
from dam_desktop.ui.grid.thumbnail_loader import ThumbnailLoader, ThumbnailRequest

if TYPE_CHECKING:
    from dam_desktop.ui.grid.grid_view import AssetGridView


class TileThumbnails(QObject):
    def __init__(self, view: AssetGridView, loader: ThumbnailLoader, cache: ThumbnailCache) -> None:
        super().__init__(view)
        self.view = view
        self.loader = loader
        self.cache = cache
        self.missing: set[int] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._request_visible)
        loader.loaded.connect(self._on_loaded)
        loader.missing.connect(self._on_missing)

    def schedule(self) -> None:
        """Ask again once the current burst of scroll, resize and model events is over."""
        if not self._timer.isActive():
            self._timer.start()

    def retry(self, entity_ids: list[int]) -> None:
        """Thumbnails for these may exist now (an import or the thumbnail stage just made them)."""
        self.missing.difference_update(entity_ids)
        for entity_id in entity_ids:
            self.cache.discard(entity_id)
        self.schedule()

    def shown(self, entity_id: int) -> bool:
        return self.cache.peek(entity_id) is not None

    def _request_visible(self) -> None:
        """Ask for tile facts and thumbnails: visible rows first, then one screen below and above."""
        view = self.view
        visible = view.visible_rows()
        if not len(visible):
            self.loader.cancel()
            return
        span = len(visible)
        count = view.model().rowCount()
        below = range(visible.stop, min(count, visible.stop + span))
        above = range(max(0, visible.start - span), visible.start)
        model = view.grid_model
        ordered = [eid for rows in (visible, below, above) for eid in model.ids_in(rows.start, rows.stop)]
        model.request_infos(ordered)
        wanted_size = self.decode_size()
        requests = []
        for entity_id in ordered:
            info = model.info(entity_id)
            if info is None or entity_id in self.missing:
                continue
            entry = self.cache.get(entity_id)
            if entry is not None and entry.decoded_for == wanted_size:
                continue
            requests.append(ThumbnailRequest(entity_id, info.thumbnail_path, wanted_size))
        self.loader.request(requests)

    def decode_size(self) -> int:
        """Decode to the tile's size in device pixels: painting is then a blit, not a rescale.
        After a zoom the old pixmaps are drawn scaled until the new ones arrive."""
        return int(self.view.tile_size * self.view.devicePixelRatioF())

    def _on_loaded(self, entity_id: int, image: QImage, decoded_for: int) -> None:
        self.missing.discard(entity_id)
        self.cache.put(entity_id, QPixmap.fromImage(image), decoded_for)
        self.view.update_entity(entity_id)

    def _on_missing(self, entity_id: int) -> None:
        self.missing.add(entity_id)
        self.view.update_entity(entity_id)
