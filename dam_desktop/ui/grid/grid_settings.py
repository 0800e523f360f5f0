"""The grid's remembered order, read before the window exists (the start-up read needs it)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from dam_desktop.services.search.sorting import SortKey

SORT_KEY = "grid/sort"
DESCENDING_KEY = "grid/descending"


def saved_sort(settings: QSettings) -> tuple[SortKey, bool]:
    """The order the user last picked: (key, descending); date added, newest first, by default."""
    value = str(settings.value(SORT_KEY, SortKey.ADDED.value))
    sort = SortKey(value) if value in {key.value for key in SortKey} else SortKey.ADDED
    descending = str(settings.value(DESCENDING_KEY, "true")).lower() == "true"
    return sort, descending


def save_sort(settings: QSettings, sort: SortKey, descending: bool) -> None:
    settings.setValue(SORT_KEY, sort.value)
    settings.setValue(DESCENDING_KEY, "true" if descending else "false")
