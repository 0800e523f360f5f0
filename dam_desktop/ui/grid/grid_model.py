"""The grid's model: the entity ids of the current result, and tile facts for the rows on screen.

The current result comes from an async query function (`ResultQuery`) run on the world thread;
searching, sorting, the trash or "find similar" each just swap the query. The model never holds
more than the id array plus facts for the tiles that were recently visible.
"""

from __future__ import annotations

import asyncio
import logging
from array import array
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, TypeAlias

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from dam_desktop.services.browse.browse_sql import IdArray, TileInfo
from dam_desktop.services.search.paging import StreamedResult
from dam_desktop.ui.grid.ranked import RankedIds
from dam_desktop.ui.tasks import TaskSet
from dam_desktop.ui.world_client import WorldClient
from dam_desktop.utils.heap import release_free_heap

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.services.search.paging import PageCursor, PagedQuery

# The ids on screen: numpy's array once any work needs it, or the start-up read's stdlib array
# (typecode "q") until then, so the first paint does not wait for numpy to load.
ShownIds: TypeAlias = "IdArray | array[int]"

# A string: the World type (and SQLAlchemy behind it) is not loaded when the window first paints.
# A query answers ids in the order to show, a ranked result (ids with scores), or a streamed one
# (the first screen, and what reads the rest and the count).
ResultQuery: TypeAlias = "Callable[[World], Awaitable[IdArray | RankedIds | StreamedResult]]"

log = logging.getLogger(__name__)

ENTITY_ID_ROLE = Qt.ItemDataRole.UserRole + 1
TILE_INFO_ROLE = Qt.ItemDataRole.UserRole + 2
SCORE_ROLE = Qt.ItemDataRole.UserRole + 3

INFO_BATCH = 400
# Tile facts kept: a screen holds a few hundred tiles at most, so this is many screens back. 20,000
# grew the window's memory through 80 rounds of grid_bench.py's session (a few hundred a round).
MAX_INFOS = 5_000
MAX_DRAG_ITEMS = 5_000

_ModelIndex = QModelIndex | QPersistentModelIndex


class AssetGridModel(QAbstractListModel):
    infos_arrived = Signal(list)  # entity ids whose tile facts just came in
    result_loaded = Signal()
    size_changed = Signal()  # more of a streamed result arrived, or its count did
    rest_failed = Signal(object)  # reading the rest of the result raised this: the rows read stay
    infos_failed = Signal(object)  # reading tiles' facts in the background raised this

    def __init__(self, client: WorldClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self._ids: ShownIds = array("q")
        self._infos: OrderedDict[int, TileInfo] = OrderedDict()
        self._requested: set[int] = set()
        self._tasks = TaskSet()
        self._generation = 0
        self._streams = TaskSet()  # the current result's further pages and count
        # A streamed result's size while its rows are still arriving: the planner's guess until
        # the count comes (`size_exact`); None once the rows are the whole result.
        self._size: int | None = None
        self.size_exact = True
        # Reading the rest of the result failed: the rows are its first part only (`rest_failed`).
        self.incomplete = False
        self.loading = False
        self.loaded_once = False
        # The ranking of the result shown (scores for the tiles' badges), or None for a listing.
        self.ranking: RankedIds | None = None

    # Qt model API -----------------------------------------------------------------------------
    def rowCount(self, parent: _ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: _ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        entity_id = int(self._ids[index.row()])
        if role == ENTITY_ID_ROLE:
            return entity_id
        if role == SCORE_ROLE:
            return self.score(entity_id)
        info = self._infos.get(entity_id)
        if role == TILE_INFO_ROLE:
            return info
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return info.filename if info else None
        return None

    def flags(self, index: _ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list"]

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """The selected assets' files as URLs named like the originals, for other apps."""
        from dam_desktop.ui.grid.outgoing import files_mime, outgoing_paths  # with the first drag

        infos = [self.info_at(index.row()) for index in list(indexes)[:MAX_DRAG_ITEMS]]
        paths = outgoing_paths(self.client.paths.root, [info for info in infos if info is not None])
        return files_mime(paths)

    # ids ----------------------------------------------------------------------------------------
    @property
    def ids(self) -> IdArray:
        """The result's ids as a numpy array (converting the start-up read's on first use)."""
        if isinstance(self._ids, array):
            import numpy as np

            self._ids = np.frombuffer(self._ids, dtype=np.int64).copy()
        return self._ids

    def entity_id(self, row: int) -> int:
        return int(self._ids[row])

    def ids_in(self, start: int, stop: int) -> list[int]:
        """The ids of rows `start` to `stop` - 1 (painting and selection use this, not `ids`)."""
        return [int(eid) for eid in self._ids[start:stop]]

    def row_of(self, entity_id: int) -> int:
        rows = (self.ids == entity_id).nonzero()[0]
        return int(rows[0]) if len(rows) else -1

    def set_ids(self, ids: ShownIds) -> None:
        self.beginResetModel()
        if isinstance(ids, array):
            self._ids = ids
        else:
            import numpy as np

            self._ids = np.asarray(ids, dtype=np.int64)
        self.endResetModel()

    def insert_ids(self, ids: Iterable[int], *, at_start: bool) -> None:
        """New assets arriving during an import: added without resetting the view."""
        import numpy as np

        current = self.ids
        present = set(current.tolist()) if len(current) < 200_000 else None
        fresh = [eid for eid in ids if present is None or eid not in present]
        if present is None:
            fresh = [eid for eid in fresh if not np.any(current == eid)]
        if not fresh:
            return
        new = np.asarray(fresh, dtype=np.int64)
        first = 0 if at_start else len(current)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        self._ids = np.concatenate([new, current]) if at_start else np.concatenate([current, new])
        self.endInsertRows()

    def show_snapshot(self, ids: array[int], infos: dict[int, TileInfo]) -> bool:
        """Show a result read before the world was open (the start-up read), unless a query
        already filled or is filling the grid. True when it was shown."""
        if self.loaded_once or self.loading:
            return False
        self._store(infos)
        self.loaded_once = True
        self.set_ids(ids)
        self.result_loaded.emit()
        return True

    async def load(self, query: ResultQuery, before_show: Callable[[], object] | None = None) -> bool:
        """Run `query` on the world thread and show its result. False when a newer load won (even
        if this one failed: only the newest load raises what its query raised).
        `before_show` runs just before the result replaces the rows (and the view's selection with
        them), not before: what the user did while the query ran is what it sees."""
        self._generation += 1
        generation = self._generation
        self.loading = True
        try:
            ids = await self.client.call(query)
        except Exception:
            if generation != self._generation:
                return False  # superseded: its failure is moot, and must not hide the newer result
            raise
        finally:
            if generation == self._generation:
                self.loading = False
        if generation != self._generation:
            return False
        if before_show is not None:
            before_show()
        self.loaded_once = True
        self._stop_streams()
        self.ranking = ids if isinstance(ids, RankedIds) else None
        if isinstance(ids, StreamedResult):
            self.set_ids(ids.first.ids)
            self._stream(generation, ids)
        else:
            self.set_ids(ids.ids if isinstance(ids, RankedIds) else ids)
        self.result_loaded.emit()
        return True

    # streamed results ---------------------------------------------------------------------------
    @property
    def result_size(self) -> int:
        """How many assets the result holds (about, until `size_exact`)."""
        return len(self._ids) if self._size is None else max(self._size, len(self._ids))

    @property
    def streaming(self) -> bool:
        """Whether more rows of the result are still to come."""
        return self._size is not None

    def _stream(self, generation: int, result: StreamedResult) -> None:
        """Read the rest of a streamed result in the background, and its count beside it."""
        if result.first.next is None:
            return
        self._size, self.size_exact = result.estimate, False
        self._streams.spawn(self._read_pages(generation, result.first.next, len(result.first.ids)))
        self._streams.spawn(self._count(generation, result.query))

    async def _read_pages(self, generation: int, cursor: PageCursor | None, previous: int) -> None:
        from dam_desktop.use_cases.result_pages import following_limit, next_page

        while cursor is not None:
            size = following_limit(cursor.query.sort, previous)
            try:
                page = await self.client.call(partial(next_page, cursor=cursor, limit=size))
            except Exception as exc:
                # The rows read so far stay shown (the server gone, a damaged page), said to be
                # the result's first part only: neither the rows nor their count are the result.
                if generation == self._generation:
                    self._size, self.size_exact, self.incomplete = None, False, True
                    self.size_changed.emit()
                    self.rest_failed.emit(exc)
                return
            if generation != self._generation:
                return
            self._append(page.ids)
            cursor, previous = page.next, len(page.ids)
        self._size, self.size_exact = None, True
        self.size_changed.emit()
        # The pages' reads freed megabytes on other threads: hand them back (utils/heap.py).
        await asyncio.get_running_loop().run_in_executor(None, release_free_heap)

    async def _count(self, generation: int, query: PagedQuery) -> None:
        from dam_desktop.use_cases.result_pages import count_result

        try:
            total = await self.client.call(partial(count_result, query=query))
        except Exception:
            log.exception("counting the result failed")  # the rows, once all read, give the count
            return
        if generation == self._generation and self._size is not None:
            self._size, self.size_exact = total, True
            self.size_changed.emit()

    def _append(self, ids: IdArray) -> None:
        if not len(ids):
            return
        import numpy as np

        current = self.ids
        self.beginInsertRows(QModelIndex(), len(current), len(current) + len(ids) - 1)
        self._ids = np.concatenate([current, ids])
        self.endInsertRows()
        self.size_changed.emit()

    def _stop_streams(self) -> None:
        for task in self._streams:
            task.cancel()
        self._size, self.size_exact, self.incomplete = None, True, False

    def show_nothing(self) -> None:
        """Empty the grid (a query that cannot run shows its error, not the previous result), and
        make any load still running lose."""
        import numpy as np

        self._generation += 1
        self._stop_streams()
        self.loading = False
        self.loaded_once = True
        self.ranking = None
        self.set_ids(np.zeros(0, dtype=np.int64))
        self.result_loaded.emit()

    def score(self, entity_id: int) -> float | None:
        """The ranked result's score of this asset (None when the grid shows a listing)."""
        return self.ranking.scores.get(entity_id) if self.ranking is not None else None

    def score_text(self, entity_id: int) -> str | None:
        """The score as the tile's badge shows it."""
        return self.ranking.score_text(entity_id) if self.ranking is not None else None

    # tile facts ---------------------------------------------------------------------------------
    def info(self, entity_id: int) -> TileInfo | None:
        return self._infos.get(entity_id)

    def known_ids(self) -> list[int]:
        """The assets whose tile facts the model holds (those on screen recently)."""
        return list(self._infos)

    def info_at(self, row: int) -> TileInfo | None:
        if 0 <= row < len(self._ids):
            return self._infos.get(int(self._ids[row]))
        return None

    def forget_infos(self, entity_ids: Iterable[int]) -> None:
        for eid in entity_ids:
            self._infos.pop(eid, None)
            self._requested.discard(eid)

    def refresh_infos(self, entity_ids: Iterable[int] | None) -> None:
        """Read again the facts of these assets (all, for None) that the model holds: they were on
        screen recently; the others are read when they next scroll into view. The old facts stay
        shown until the new ones arrive, so the tiles do not blink."""
        known = list(self._infos) if entity_ids is None else [e for e in entity_ids if e in self._infos]
        if known:
            self._start_fetch(known)

    def missing_infos(self, entity_ids: Iterable[int]) -> list[int]:
        return [eid for eid in entity_ids if eid not in self._infos and eid not in self._requested]

    def request_infos(self, entity_ids: Sequence[int]) -> asyncio.Future[Any] | None:
        """Fetch tile facts for ids not known yet, in the background; `infos_arrived` follows."""
        wanted = self.missing_infos(entity_ids)
        if not wanted:
            return None
        return self._start_fetch(wanted)

    def _start_fetch(self, wanted: list[int]) -> asyncio.Future[Any]:
        self._requested.update(wanted)
        return self._tasks.spawn(self._fetch_in_background(wanted))

    async def _fetch_in_background(self, entity_ids: list[int]) -> dict[int, TileInfo]:
        """`_fetch` in a task nobody awaits: a failure is told (`infos_failed`), not raised."""
        try:
            return await self._fetch(entity_ids)
        except Exception as exc:
            self.infos_failed.emit(exc)
            return {}

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Future[Any]:
        """Run `coro` in the background beside the model's own reads; `stop` cancels it too."""
        return self._tasks.spawn(coro)

    async def stop(self) -> None:
        """Cancel background fetches, wait for them, and start none after (the world closes)."""
        await self._streams.close()
        await self._tasks.close()

    async def fetch_infos(self, entity_ids: Sequence[int]) -> dict[int, TileInfo]:
        """Tile facts for `entity_ids`, fetching what is not known yet."""
        known = {eid: info for eid in entity_ids if (info := self._infos.get(eid)) is not None}
        missing = [eid for eid in entity_ids if eid not in known]
        # Taken from the reads themselves: a selection may hold more assets than the model keeps.
        fetched = await self._fetch(missing) if missing else {}
        return {eid: info for eid in entity_ids if (info := known.get(eid) or fetched.get(eid)) is not None}

    async def _fetch(self, entity_ids: list[int]) -> dict[int, TileInfo]:
        fetched: dict[int, TileInfo] = {}
        try:
            for start in range(0, len(entity_ids), INFO_BATCH):
                batch = entity_ids[start : start + INFO_BATCH]

                async def read(world: World, batch: list[int] = batch) -> dict[int, TileInfo]:
                    from dam_desktop.use_cases.library import tile_infos

                    return await tile_infos(world, batch)

                infos = await self.client.call(read)
                self._store(infos)
                fetched.update(infos)
                self.infos_arrived.emit(list(infos))
        finally:
            self._requested.difference_update(entity_ids)
        return fetched

    def _store(self, infos: dict[int, TileInfo]) -> None:
        for eid, info in infos.items():
            self._infos[eid] = info
            self._infos.move_to_end(eid)
        while len(self._infos) > MAX_INFOS:
            self._infos.popitem(last=False)
