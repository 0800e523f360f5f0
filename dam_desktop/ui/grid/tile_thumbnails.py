"""Which thumbnails the grid asks for, and what it does with the answers.

Visible rows first, then one screen below and above; each decoded at the tile's size in device
pixels (painting is then a blit). A tile whose thumbnail file is not there yet is remembered as
missing, so it is not asked for on every scroll step, until `retry` says it may exist now (the
thumbnail stage made it).

Above the usual thumbnail's size (256 px), a picture's tile asks for its large thumbnail (768 px)
instead. Where that is not made yet, the usual one is shown meanwhile and the world makes the large
one from the original in its CPU pool; the tile is then decoded again from it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QImage, QPixmap

from dam_desktop.core.errors import DamError
from dam_desktop.ui.grid.grid_delegate import ORIGINAL_BELOW
from dam_desktop.ui.grid.hover_scrub import HoverScrub
from dam_desktop.ui.grid.thumbnail_cache import ThumbnailCache
from dam_desktop.ui.grid.thumbnail_loader import ThumbnailLoader, ThumbnailRequest

if TYPE_CHECKING:
    from pathlib import Path

    from dam_desktop.core.world import World
    from dam_desktop.services.browse.browse_sql import TileInfo
    from dam_desktop.ui.grid.grid_view import AssetGridView

# Tiles whose large thumbnails one call to the world makes (a screenful at the largest zooms).
LARGE_BATCH = 24


class TileThumbnails(QObject):
    def __init__(self, view: AssetGridView, loader: ThumbnailLoader, cache: ThumbnailCache) -> None:
        super().__init__(view)
        self.view = view
        self.loader = loader
        self.cache = cache
        self.missing: set[int] = set()
        self.no_large: set[int] = set()  # pictures that have no large thumbnail (small, unreadable)
        self._to_make: list[int] = []  # large thumbnails asked for and not made yet, in order
        self._making = False
        self._sharper: set[int] = set()  # a large thumbnail was made since the tile was decoded
        self.scrub = HoverScrub(view)  # clips' frames under the mouse
        view.delegate.scrub = self.scrub
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._request_visible)
        loader.loaded.connect(self._on_loaded)
        loader.missing.connect(self._on_missing)
        loader.large_missing.connect(self._on_large_missing)

    def schedule(self) -> None:
        """Ask again once the current burst of scroll, resize and model events is over."""
        if not self._timer.isActive():
            self._timer.start()

    def retry(self, entity_ids: list[int]) -> None:
        """Thumbnails for these may exist now (an import or the thumbnail stage just made them)."""
        self.missing.difference_update(entity_ids)
        self.scrub.forget(entity_ids)
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
        self.cache.fit_screen(span * wanted_size * wanted_size * 4)
        requests = []
        for entity_id in ordered:
            info = model.info(entity_id)
            if info is None or entity_id in self.missing:
                continue
            entry = self.cache.get(entity_id)
            if entry is not None and entry.decoded_for == wanted_size and entity_id not in self._sharper:
                continue
            self._sharper.discard(entity_id)
            large = self._large_path(info, wanted_size)
            requests.append(ThumbnailRequest(entity_id, info.thumbnail_path, wanted_size, large))
        self.loader.request(requests)

    def _large_path(self, info: TileInfo, wanted_size: int) -> Path | None:
        """The large thumbnail a tile of this size shows, if it wants one: pictures only (a
        sound's waveform and a clip's frame stay as they are)."""
        if wanted_size <= ORIGINAL_BELOW or info.asset_type != "image" or info.entity_id in self.no_large:
            return None
        return info.large_thumbnail_path if info.sha256_hex else None

    def decode_size(self) -> int:
        """Decode to the tile's size in device pixels: painting is then a blit, not a rescale.
        After a zoom the old pixmaps are drawn scaled until the new ones arrive."""
        return int(self.view.tile_size * self.view.devicePixelRatioF())

    def _on_loaded(self, entity_id: int, image: QImage, decoded_for: int) -> None:
        self.missing.discard(entity_id)
        self.cache.put(entity_id, QPixmap.fromImage(image), decoded_for)
        self.view.update_entity(entity_id)

    def _on_large_missing(self, entity_id: int) -> None:
        if entity_id not in self._to_make:
            self._to_make.append(entity_id)
        if not self._making:
            self._making = True
            self.view.grid_model.spawn(self._make_large())

    async def _make_large(self) -> None:
        """Have the world make the wanted large thumbnails, a batch at a time, the first asked for
        first; each tile is decoded again once its large thumbnail is there."""
        try:
            while self._to_make:
                batch, self._to_make = self._to_make[:LARGE_BATCH], self._to_make[LARGE_BATCH:]

                async def make(world: World, batch: list[int] = batch) -> dict[int, Path | None]:
                    from dam_desktop.use_cases.library import large_thumbnails

                    return await large_thumbnails(world, batch)

                try:
                    made = await self.view.grid_model.client.call(make)
                except DamError as exc:  # the library went away: these tiles keep the usual one
                    logging.getLogger(__name__).warning("large thumbnails not made: %s", exc)
                    made = dict.fromkeys(batch)
                for entity_id, path in made.items():
                    (self._sharper if path is not None else self.no_large).add(entity_id)
                self.schedule()
        finally:
            self._making = False

    def _on_missing(self, entity_id: int) -> None:
        self.missing.add(entity_id)
        self.view.update_entity(entity_id)
