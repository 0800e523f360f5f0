"""Decoded thumbnails kept in memory, least recently used first out, within a budget in bytes.

Qt's QPixmapCache defaults to 10 MB and is keyed by strings; the grid needs a budget the user can
reason about (a few hundred MB holds thousands of tiles) and integer keys.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtGui import QPixmap

DEFAULT_BUDGET_MB = 256


@dataclass(frozen=True)
class CachedThumbnail:
    pixmap: QPixmap
    # The tile size it was decoded for: a larger zoom asks for a sharper one.
    decoded_for: int

    @property
    def cost(self) -> int:
        return max(1, self.pixmap.width() * self.pixmap.height() * 4)


class ThumbnailCache:
    def __init__(self, budget_mb: int = DEFAULT_BUDGET_MB) -> None:
        self._entries: OrderedDict[int, CachedThumbnail] = OrderedDict()
        self._bytes = 0
        self.budget_bytes = budget_mb * 1024 * 1024

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
        while self._bytes > self.budget_bytes and len(self._entries) > 1:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.cost

    def discard(self, entity_id: int) -> None:
        old = self._entries.pop(entity_id, None)
        if old is not None:
            self._bytes -= old.cost

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
