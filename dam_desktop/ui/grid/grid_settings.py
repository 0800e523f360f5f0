"""The grid's remembered order and zoom, read before the window exists (the start-up read needs
them: the order to list in, the zoom for how many tiles' facts the first screen needs)."""

from __future__ import annotations

import math

from PySide6.QtCore import QSettings

from dam_desktop.services.search.sorting import SortKey

SORT_KEY = "grid/sort"
DESCENDING_KEY = "grid/descending"
ZOOM_KEY = "grid/zoom"

MIN_TILE = 64
MAX_TILE = 512
DEFAULT_TILE = 160
# The largest screen the first read plans for (4K UHD). A larger one shows its last rows' tiles
# blank for the moment the world needs to open and read them.
LARGE_SCREEN = (3840, 2160)


def saved_sort(settings: QSettings) -> tuple[SortKey, bool]:
    """The order the user last picked: (key, descending); date added, newest first, by default."""
    value = str(settings.value(SORT_KEY, SortKey.ADDED.value))
    sort = SortKey(value) if value in {key.value for key in SortKey} else SortKey.ADDED
    descending = str(settings.value(DESCENDING_KEY, "true")).lower() == "true"
    return sort, descending


def save_sort(settings: QSettings, sort: SortKey, descending: bool) -> None:
    settings.setValue(SORT_KEY, sort.value)
    settings.setValue(DESCENDING_KEY, "true" if descending else "false")


def saved_zoom(settings: QSettings) -> int:
    """The tile size the user last zoomed to, within the slider's range."""
    try:
        size = int(str(settings.value(ZOOM_KEY, DEFAULT_TILE)))
    except (TypeError, ValueError):
        return DEFAULT_TILE
    return max(MIN_TILE, min(MAX_TILE, size))


def tiles_on_a_large_screen(tile: int) -> int:
    """How many tiles of `tile` pixels a full large screen can show, counting each cell as just
    its image (labels and padding only make cells larger, so fewer fit): the start-up read reads
    facts for that many, since reading them costs the GUI thread time (the GIL) before the first
    paint, and at the default zoom a screen holds a third of the old fixed thousand."""
    width, height = LARGE_SCREEN
    return math.ceil(width / tile) * (math.ceil(height / tile) + 1)
