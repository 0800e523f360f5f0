"""Following the world's change events in a widget: which changes concern which assets, and
coalescing a burst of events (a background stage reports after every batch) into one refresh."""

from __future__ import annotations

from collections.abc import Callable, Collection

from PySide6.QtCore import QObject, QTimer

from dam_desktop.core.events import WorldChanged
from dam_desktop.ui.world_client import WorldClient


def concerns(change: WorldChanged, entity_ids: Collection[int]) -> bool:
    """Whether the change may concern these assets: it names one of them, or names none (an edit
    of tags themselves, or a bulk change, may concern any asset)."""
    if change.everything or not change.entity_ids:
        return True
    return not change.entity_ids.isdisjoint(entity_ids)


def merged(first: WorldChanged, second: WorldChanged) -> WorldChanged:
    # A change naming no assets stands for any asset; merging keeps that.
    ids = (
        frozenset() if not first.entity_ids or not second.entity_ids else first.entity_ids | second.entity_ids
    )
    return WorldChanged(
        entity_ids=ids,
        components=first.components | second.components,
        added=first.added or second.added,
        removed=first.removed or second.removed,
        everything=first.everything or second.everything,
    )


class ChangeFollower(QObject):
    """Calls `on_change` with the changes of the last `delay_ms` merged into one, for those that
    pass `wanted`; the delay lets a burst of events cause one refresh instead of many."""

    def __init__(
        self,
        client: WorldClient,
        wanted: Callable[[WorldChanged], bool],
        on_change: Callable[[WorldChanged], object],
        parent: QObject,
        delay_ms: int = 30,
    ) -> None:
        super().__init__(parent)
        self._wanted = wanted
        self._on_change = on_change
        self._pending: WorldChanged | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._deliver)
        client.changes.changed.connect(self._arrived)

    def _arrived(self, change: WorldChanged) -> None:
        if not self._wanted(change):
            return
        self._pending = change if self._pending is None else merged(self._pending, change)
        self._timer.start()

    def waiting(self) -> bool:
        """True while changes have arrived that `on_change` has not been given yet."""
        return self._pending is not None

    def _deliver(self) -> None:
        change, self._pending = self._pending, None
        if change is not None:
            self._on_change(change)
