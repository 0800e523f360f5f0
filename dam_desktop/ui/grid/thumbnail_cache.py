"""Decoded thumbnails kept in memory, least recently used first out, within a budget in bytes.

Qt's QPixmapCache defaults to 10 MB and is keyed by strings; the grid needs a budget the user can
reason about (a few hundred MB holds thousands of tiles) and integer keys.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtGui import QPixmap

# By measurement (grid_bench.py's session at 1M assets): with 256 MB the cache filled to 268 MB of
# a 679 MB window. A tile at the default zoom decodes to 160x120 (75 KB), so 64 MB holds about 850
# tiles, some 28 screens of the grid (7 on a 2x display, 8 at the largest zoom there); the grid
# asks for three (the visible one, one below, one above), and scrolling back further decodes again
# off the GUI thread.
DEFAULT_BUDGET_MB = 64


@dataclass(frozen=True)
class CachedThumbnail:
    pixmap: QPixmap
    # The tile size it was decoded for: a larger zoom asks for a sharper one.
    decoded_for: int

    @property
    def cost(self) -> int:
        return max(1, self.pixmap.width() * self.pixmap.height() * 4)


# Below the preference, the cache keeps this many screens of the grid at the current zoom (the
# grid asks for three: the visible one, one below, one above), and never less than the floor. By
# measurement at 1M assets (grid_bench.py's session, zooming 96-320 px): 67 MB of thumbnails under
# a 64 MB budget, 17 MB sized to screens; scroll repaint p95 8 ms against 13-41 ms (load 9-10).
SCREENS_KEPT = 8
FLOOR_BYTES = 16 * 1024 * 1024


class ThumbnailCache:
    def __init__(self, budget_mb: int = DEFAULT_BUDGET_MB) -> None:
        self._entries: OrderedDict[int, CachedThumbnail] = OrderedDict()
        self._bytes = 0
        self.budget_bytes = budget_mb * 1024 * 1024
        self._screen_bytes = 0  # what one screen of tiles costs decoded; 0 until the grid says

    @property
    def limit_bytes(self) -> int:
        """What the cache holds at most: the preference, or a few screens when that is less."""
        if not self._screen_bytes:
            return self.budget_bytes
        return min(self.budget_bytes, max(FLOOR_BYTES, SCREENS_KEPT * self._screen_bytes))

    def fit_screen(self, screen_bytes: int) -> None:
        """The grid's screen now costs this much decoded (a resize, a zoom): keep a few of them."""
        if screen_bytes != self._screen_bytes:
            self._screen_bytes = screen_bytes
            self._trim()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, entity_id: int) -> bool:
        return entity_id in self._entries

    @property
    def used_bytes(self) -> int:
        return self._bytes

    def get(self, entity_id: int) -> CachedThumbnail | None:
        entry = self._entries.get(entity_id)
        if entry is not None:
            self._entries.move_to_end(entity_id)
        return entry

    def peek(self, entity_id: int) -> CachedThumbnail | None:
        """Like `get` without touching the recency order (painting must not reorder the cache)."""
        return self._entries.get(entity_id)

    def set_budget_mb(self, budget_mb: int) -> None:
        """A new budget (the preference changed); a smaller one drops the oldest at once."""
        self.budget_bytes = budget_mb * 1024 * 1024
        self._trim()

    def put(self, entity_id: int, pixmap: QPixmap, decoded_for: int) -> None:
        self.discard(entity_id)
        entry = CachedThumbnail(pixmap, decoded_for)
        self._entries[entity_id] = entry
        self._bytes += entry.cost
        self._trim()

    def _trim(self) -> None:
        limit = self.limit_bytes
        while self._bytes > limit and len(self._entries) > 1:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.cost

    def discard(self, entity_id: int) -> None:
        old = self._entries.pop(entity_id, None)
        if old is not None:
            self._bytes -= old.cost

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
