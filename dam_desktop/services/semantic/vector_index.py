"""Exact nearest-neighbour search over one embedding table, held in memory as a float32 matrix.

A table is read once, on first use, into an L2-normalised matrix; afterwards each search first
syncs with the table cheaply (`max(id)` and `count(*)`): rows with a larger id are appended, and
only when rows have disappeared are the ids re-read to drop them. Services replace an entity's
vector by deleting and inserting its row, so a changed vector always arrives as a new id. The
index therefore stays right whoever wrote the table (this process, another system, the CLI).

Top-k is exact: the query is multiplied with the matrix in blocks, each block keeps its best k
with `argpartition`, and the survivors are sorted once. Rows are mapped to assets in a single
query; trashed entities and non-assets are dropped there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.models.core.base_component import BaseComponent
from dam_desktop.models.files import FilePropertiesComponent, TrashedComponent

FloatMatrix = npt.NDArray[np.float32]
IdArray = npt.NDArray[np.int64]

# Rows per block of the matrix product. The product is memory-bound, and each BLAS call has a
# fixed cost (waking its threads), so blocks are large: 256k x 512 float32 rows is a 512 MiB view
# of the matrix (no copy) and a 1 MiB score array.
BLOCK_ROWS = 262_144


def vector_to_bytes(vector: npt.ArrayLike) -> bytes:
    """The stored form of an embedding: little-endian float32."""
    return np.asarray(vector, dtype="<f4").tobytes()


def bytes_to_vector(blob: bytes) -> npt.NDArray[np.float32]:
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)


def normalise_rows(matrix: FloatMatrix) -> FloatMatrix:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: FloatMatrix = (matrix / norms).astype(np.float32, copy=False)
    return unit


def top_k_rows(
    matrix: FloatMatrix,
    query: FloatMatrix,
    k: int,
    block_rows: int = BLOCK_ROWS,
    row_mask: npt.NDArray[np.bool_] | None = None,
) -> tuple[IdArray, FloatMatrix]:
    """Row positions and scores of the `k` rows with the largest dot product with `query`, best first.

    `row_mask`, when given, leaves out the rows where it is False (they score -inf and are dropped),
    so a restriction never copies the matrix.
    """
    n = matrix.shape[0]
    if n == 0 or k <= 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    k = min(k, n)
    cand_rows: list[IdArray] = []
    cand_scores: list[FloatMatrix] = []
    for start in range(0, n, block_rows):
        block = matrix[start : start + block_rows]
        scores = block @ query
        if row_mask is not None:
            scores[~row_mask[start : start + block_rows]] = -np.inf
        if scores.shape[0] > k:
            part = np.argpartition(scores, -k)[-k:]
            cand_rows.append(part.astype(np.int64) + start)
            cand_scores.append(scores[part])
        else:
            cand_rows.append(np.arange(start, start + scores.shape[0], dtype=np.int64))
            cand_scores.append(scores)
    rows = np.concatenate(cand_rows)
    scores = np.concatenate(cand_scores)
    if rows.shape[0] > k:
        part = np.argpartition(scores, -k)[-k:]
        rows, scores = rows[part], scores[part]
    order = np.argsort(-scores, kind="stable")
    rows, scores = rows[order], scores[order]
    if row_mask is not None:
        finite = np.isfinite(scores)
        rows, scores = rows[finite], scores[finite]
    return rows, scores.astype(np.float32)


@dataclass(frozen=True)
class Hit:
    """One asset found by a similarity search; `score` is the cosine similarity (higher is closer)."""

    entity_id: int
    score: float
    filename: str
    asset_type: str


class VectorIndex:
    """The vectors of one embedding table, or of one model's rows in a table whose rows name their
    model (`model_name`). Use through `VectorIndexCache.synced(session, table, model_name)`.

    Rows live in a buffer that grows by doubling, so landing embeddings one batch at a time does
    not copy the whole matrix each time.
    """

    def __init__(self, component: type[BaseComponent], model_name: str | None = None) -> None:
        self.component = component
        self.model_name = model_name
        self.loaded = False
        self._size = 0
        self._max_row_id = 0
        self._row_ids: IdArray = np.empty(0, dtype=np.int64)
        self._entity_ids: IdArray = np.empty(0, dtype=np.int64)
        self._matrix: FloatMatrix = np.empty((0, 0), dtype=np.float32)
        self._lock = asyncio.Lock()

    def __len__(self) -> int:
        return self._size

    @property
    def matrix(self) -> FloatMatrix:
        return self._matrix[: self._size]

    @property
    def row_ids(self) -> IdArray:
        return self._row_ids[: self._size]

    @property
    def entity_ids(self) -> IdArray:
        return self._entity_ids[: self._size]

    @property
    def dimensions(self) -> int:
        return int(self._matrix.shape[1]) if self._size else 0

    def _rows(self, stmt: Select[Any]) -> Select[Any]:
        """`stmt` narrowed to this index's model, when the table holds several."""
        if self.model_name is None:
            return stmt
        return stmt.where(self.component.__table__.c.model_name == self.model_name)

    async def sync(self, session: AsyncSession) -> None:
        """Bring the matrix up to date with the table (two aggregate reads when nothing changed)."""
        async with self._lock:
            table = self.component
            # Two statements on purpose: alone, max(id) is one b-tree seek and count(*) uses SQLite's
            # count optimisation; combined in one SELECT they scan the table (~1 ms per 10k rows).
            max_id = int(await session.scalar(self._rows(select(func.max(table.id)))) or 0)
            count = int(await session.scalar(self._rows(select(func.count()).select_from(table))) or 0)
            if self.loaded and max_id == self._max_row_id and count == self._size:
                return
            if max_id > self._max_row_id:
                await self._append_new(session)
            if count != self._size:
                await self._drop_missing(session)
            self.loaded = True

    async def _append_new(self, session: AsyncSession) -> None:
        table = self.component
        vector_col = table.__table__.c.embedding_vector
        stmt = self._rows(
            select(table.id, table.entity_id, vector_col)
            .where(table.id > self._max_row_id)
            .order_by(table.id)
        )
        rows = (await session.execute(stmt)).all()
        if not rows:
            return
        dims = len(rows[0][2]) // 4
        rows = [r for r in rows if len(r[2]) == dims * 4]
        row_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        entity_ids = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        vectors = np.frombuffer(b"".join(r[2] for r in rows), dtype="<f4").reshape(len(rows), dims)
        self.add_rows(row_ids, entity_ids, vectors.astype(np.float32))

    async def _drop_missing(self, session: AsyncSession) -> None:
        ids = await session.scalars(self._rows(select(self.component.id)))
        present = np.fromiter(ids.all(), dtype=np.int64)
        keep = np.isin(self.row_ids, present)
        if keep.all():
            return
        kept = int(keep.sum())
        self._row_ids[:kept] = self.row_ids[keep]
        self._entity_ids[:kept] = self.entity_ids[keep]
        self._matrix[:kept] = self.matrix[keep]
        self._size = kept

    def add_rows(self, row_ids: npt.ArrayLike, entity_ids: npt.ArrayLike, vectors: npt.ArrayLike) -> None:
        """Append rows whose ids are larger than any loaded one; vectors are normalised here."""
        new = normalise_rows(np.atleast_2d(np.asarray(vectors, dtype=np.float32)))
        new_rows = np.asarray(row_ids, dtype=np.int64).reshape(-1)
        new_entities = np.asarray(entity_ids, dtype=np.int64).reshape(-1)
        count = new.shape[0]
        if count == 0:
            return
        if self._size and new.shape[1] != self._matrix.shape[1]:
            raise ValueError(
                f"{self.component.__tablename__}: a {new.shape[1]}-d vector in a "
                f"{self._matrix.shape[1]}-d table"
            )
        needed = self._size + count
        if self._matrix.ndim != 2 or self._matrix.shape[1] != new.shape[1] or needed > self._matrix.shape[0]:
            capacity = max(needed, 2 * self._matrix.shape[0], 1024)
            matrix = np.empty((capacity, new.shape[1]), dtype=np.float32)
            row_buf = np.empty(capacity, dtype=np.int64)
            entity_buf = np.empty(capacity, dtype=np.int64)
            if self._size:
                matrix[: self._size] = self.matrix
                row_buf[: self._size] = self.row_ids
                entity_buf[: self._size] = self.entity_ids
            self._matrix, self._row_ids, self._entity_ids = matrix, row_buf, entity_buf
        self._matrix[self._size : needed] = new
        self._row_ids[self._size : needed] = new_rows
        self._entity_ids[self._size : needed] = new_entities
        self._size = needed
        self._max_row_id = max(self._max_row_id, int(new_rows.max()))

    def vector_of(self, entity_id: int) -> FloatMatrix | None:
        """The (first) stored vector of an entity, normalised; None if it has none."""
        where = np.flatnonzero(self.entity_ids == entity_id)
        return None if where.shape[0] == 0 else self.matrix[where[0]].copy()

    def nearest_entities(
        self,
        query: npt.ArrayLike,
        k: int,
        *,
        allowed_entity_ids: Collection[int] | None = None,
        exclude_entity_ids: Collection[int] = (),
    ) -> list[tuple[int, float]]:
        """Best `k` (entity id, score) pairs, one per entity (its best row), best first."""
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(q))
        if self._size == 0 or norm == 0.0 or k <= 0:
            return []
        if q.shape[0] != self.dimensions:
            raise ValueError(
                f"query has {q.shape[0]} dimensions; {self.component.__tablename__} has {self.dimensions}"
            )
        q = q / norm
        matrix, entity_ids = self.matrix, self.entity_ids
        mask: npt.NDArray[np.bool_] | None = None
        if allowed_entity_ids is not None:
            mask = np.isin(entity_ids, np.fromiter(allowed_entity_ids, dtype=np.int64))
            if mask.sum() * 4 < mask.shape[0]:
                # A narrow restriction (a tag query): scoring only its rows is cheaper.
                chosen = np.flatnonzero(mask)
                matrix, entity_ids, mask = matrix[chosen], entity_ids[chosen], None
        # Excluded entities (the query asset itself) are skipped when reading the ranking rather
        # than masked out of a 2 GB matrix: ask for that many more rows.
        excluded = {int(e) for e in exclude_entity_ids}
        # An entity may own several rows (text embeddings of several fields): widen the row count
        # until k distinct entities are found or the rows run out.
        want = k + len(excluded)
        while True:
            rows, scores = top_k_rows(matrix, q, want, row_mask=mask)
            best: dict[int, float] = {}
            for row, score in zip(rows.tolist(), scores.tolist(), strict=True):
                entity = int(entity_ids[row])
                if entity not in excluded:
                    best.setdefault(entity, float(score))
            if len(best) >= k or want >= matrix.shape[0]:
                return list(best.items())[:k]
            want = min(want * 2, matrix.shape[0])


class VectorIndexCache:
    """Per-world resource: one `VectorIndex` per embedding table (and model), created on first use."""

    def __init__(self) -> None:
        self._indexes: dict[tuple[type[BaseComponent], str | None], VectorIndex] = {}

    def get(self, component: type[BaseComponent], model_name: str | None = None) -> VectorIndex:
        index = self._indexes.get((component, model_name))
        if index is None:
            index = self._indexes[(component, model_name)] = VectorIndex(component, model_name)
        return index

    async def synced(
        self, session: AsyncSession, component: type[BaseComponent], model_name: str | None = None
    ) -> VectorIndex:
        index = self.get(component, model_name)
        await index.sync(session)
        return index

    def forget(self, component: type[BaseComponent], model_name: str | None = None) -> None:
        self._indexes.pop((component, model_name), None)


async def map_hits(session: AsyncSession, scored: Iterable[tuple[int, float]]) -> list[Hit]:
    """Attach file names and types to (entity id, score) pairs with one query; drop trashed entities."""
    pairs = list(scored)
    if not pairs:
        return []
    ids = [eid for eid, _ in pairs]
    stmt = (
        select(
            FilePropertiesComponent.entity_id,
            FilePropertiesComponent.original_filename,
            FilePropertiesComponent.asset_type,
        )
        .where(FilePropertiesComponent.entity_id.in_(ids))
        .where(
            ~select(TrashedComponent.id)
            .where(TrashedComponent.entity_id == FilePropertiesComponent.entity_id)
            .exists()
        )
    )
    info = {row[0]: (row[1], row[2]) for row in (await session.execute(stmt)).all()}
    return [Hit(eid, score, *info[eid]) for eid, score in pairs if eid in info]


async def search_index(
    session: AsyncSession,
    cache: VectorIndexCache,
    component: type[BaseComponent],
    query: npt.ArrayLike,
    limit: int,
    *,
    allowed_entity_ids: Collection[int] | None = None,
    exclude_entity_ids: Collection[int] = (),
    model_name: str | None = None,
) -> list[Hit]:
    """The `limit` assets nearest to `query` in `component`'s table (only `model_name`'s rows when
    given), best first, with their scores.

    Trashed entities are dropped after the ranking, so ask for a few more and widen if needed.
    """
    index = await cache.synced(session, component, model_name)
    # A little headroom so that a few trashed hits do not cost a second round.
    want = limit + max(8, limit // 4)
    while True:
        scored = index.nearest_entities(
            query, want, allowed_entity_ids=allowed_entity_ids, exclude_entity_ids=exclude_entity_ids
        )
        hits = await map_hits(session, scored)
        if len(hits) >= limit or len(scored) < want:
            return hits[:limit]
        want *= 2


async def search_like_entity(
    session: AsyncSession,
    cache: VectorIndexCache,
    component: type[BaseComponent],
    entity_id: int,
    limit: int,
    *,
    allowed_entity_ids: Collection[int] | None = None,
    model_name: str | None = None,
) -> list[Hit] | None:
    """The assets nearest to `entity_id`'s own vector in `component`'s table (`model_name`'s rows
    when given), the entity itself left out; None when the entity has no vector there (callers say
    why in their own words)."""
    index = await cache.synced(session, component, model_name)
    vector = index.vector_of(entity_id)
    if vector is None:
        return None
    return await search_index(
        session,
        cache,
        component,
        vector,
        limit,
        allowed_entity_ids=allowed_entity_ids,
        exclude_entity_ids=(entity_id,),
        model_name=model_name,
    )
