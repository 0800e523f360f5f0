"""The in-memory vector index: exact top-k, incremental with the table, one query to map hits."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from dam_desktop.core.world import World
from dam_desktop.models.semantic import ImageEmbeddingComponent as ClipTable
from dam_desktop.services.semantic.vector_index import (
    VectorIndexCache,
    search_index,
    top_k_rows,
    vector_to_bytes,
)
from tests.semantic_fixtures import add_asset, count_selects, trash

DIM = 512


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 400),
    k=st.integers(1, 30),
    block=st.integers(1, 128),
    seed=st.integers(0, 2**31),
)
def test_blocked_top_k_is_the_exact_top_k(n: int, k: int, block: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((n, 16)).astype(np.float32)
    query = rng.standard_normal(16).astype(np.float32)
    rows, scores = top_k_rows(matrix, query, k, block_rows=block)
    expected = np.sort(matrix @ query)[::-1][: min(k, n)]
    assert np.allclose(scores, expected, atol=1e-5)
    assert np.allclose(matrix[rows] @ query, scores, atol=1e-5)


async def _store(world: World, vectors: dict[int, np.ndarray], model: str = "clip-vit-b-32") -> None:
    async with world.session() as session:
        await session.execute(
            insert(ClipTable),
            [
                {"entity_id": eid, "model_name": model, "embedding_vector": vector_to_bytes(v)}
                for eid, v in vectors.items()
            ],
        )
        await session.commit()


async def _assets(world: World, count: int) -> list[int]:
    async with world.session() as session:
        ids = [await add_asset(session, f"picture_{i:03d}.png") for i in range(count)]
        await session.commit()
    return ids


async def test_nearest_assets_come_back_best_first_with_cosine_scores(world: World) -> None:
    rng = np.random.default_rng(1)
    ids = await _assets(world, 40)
    vectors = {eid: rng.standard_normal(DIM).astype(np.float32) for eid in ids}
    await _store(world, vectors)
    query = vectors[ids[7]] + 0.1 * rng.standard_normal(DIM).astype(np.float32)

    async with world.session() as session:
        hits = await search_index(session, VectorIndexCache(), ClipTable, query, 5)

    unit = {eid: v / np.linalg.norm(v) for eid, v in vectors.items()}
    q = query / np.linalg.norm(query)
    expected = sorted(ids, key=lambda eid: -float(unit[eid] @ q))[:5]
    assert [h.entity_id for h in hits] == expected
    assert hits[0].entity_id == ids[7]
    assert hits[0].filename == "picture_007.png"
    assert hits[0].asset_type == "image"
    assert abs(hits[0].score - float(unit[ids[7]] @ q)) < 1e-5


async def test_index_follows_rows_added_replaced_and_removed_after_first_use(world: World) -> None:
    rng = np.random.default_rng(2)
    ids = await _assets(world, 6)
    first = {eid: rng.standard_normal(DIM).astype(np.float32) for eid in ids[:3]}
    await _store(world, first)
    cache = VectorIndexCache()
    async with world.session() as session:
        assert len(await cache.synced(session, ClipTable)) == 3

    late = {ids[4]: rng.standard_normal(DIM).astype(np.float32)}
    await _store(world, late)
    async with world.session() as session:
        hits = await search_index(session, cache, ClipTable, late[ids[4]], 1)
    assert hits[0].entity_id == ids[4]
    assert hits[0].score > 0.999

    # Replacing a vector (delete + insert) moves the asset to where its new vector is.
    async with world.session() as session:
        await session.execute(delete(ClipTable).where(ClipTable.entity_id == ids[0]))
        await session.commit()
    await _store(world, {ids[0]: late[ids[4]]})
    async with world.session() as session:
        hits = await search_index(session, cache, ClipTable, late[ids[4]], 2)
        index = cache.get(ClipTable)
        assert len(index) == 4
    assert {h.entity_id for h in hits} == {ids[0], ids[4]}

    async with world.session() as session:
        await session.execute(delete(ClipTable).where(ClipTable.entity_id.in_([ids[1], ids[2]])))
        await session.commit()
    async with world.session() as session:
        hits = await search_index(session, cache, ClipTable, first[ids[1]], 10)
    assert {h.entity_id for h in hits} == {ids[0], ids[4]}


async def test_trashed_assets_are_left_out_and_hits_are_mapped_in_one_query(world: World) -> None:
    rng = np.random.default_rng(3)
    ids = await _assets(world, 30)
    base = rng.standard_normal(DIM).astype(np.float32)
    vectors = {
        eid: base + 0.05 * i * rng.standard_normal(DIM).astype(np.float32) for i, eid in enumerate(ids)
    }
    await _store(world, vectors)
    async with world.session() as session:
        await trash(session, ids[0])
        await trash(session, ids[1])
        await session.commit()
    cache = VectorIndexCache()
    async with world.session() as session:
        await cache.synced(session, ClipTable)
    with count_selects(world) as selects:
        async with world.session() as session:
            hits = await search_index(session, cache, ClipTable, base, 10)
    assert len(hits) == 10
    assert ids[0] not in {h.entity_id for h in hits}
    assert ids[1] not in {h.entity_id for h in hits}
    assert hits[0].entity_id == ids[2]
    mapping = [s for s in selects if "component_file_properties" in s]
    assert len(mapping) == 1


async def test_search_can_be_narrowed_to_allowed_assets(world: World) -> None:
    rng = np.random.default_rng(4)
    ids = await _assets(world, 20)
    vectors = {eid: rng.standard_normal(DIM).astype(np.float32) for eid in ids}
    await _store(world, vectors)
    allowed = set(ids[10:15])
    async with world.session() as session:
        hits = await search_index(
            session, VectorIndexCache(), ClipTable, vectors[ids[0]], 10, allowed_entity_ids=allowed
        )
    assert {h.entity_id for h in hits} == allowed
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))


async def test_an_asset_with_several_rows_is_listed_once_with_its_best_score(world: World) -> None:
    from dam_desktop.models.semantic import TextEmbeddingAllMiniLML6V2Dim384Component as Text

    rng = np.random.default_rng(5)
    ids = await _assets(world, 3)
    target = rng.standard_normal(384).astype(np.float32)
    rows = [
        (ids[0], target, "original_filename"),
        (ids[0], target + 0.01, "notes"),
        (ids[1], rng.standard_normal(384).astype(np.float32), "original_filename"),
        (ids[2], rng.standard_normal(384).astype(np.float32), "original_filename"),
    ]
    async with world.session() as session:
        await session.execute(
            insert(Text),
            [
                {
                    "entity_id": eid,
                    "embedding_vector": vector_to_bytes(v),
                    "source_component_name": "FilePropertiesComponent",
                    "source_field_name": field,
                }
                for eid, v, field in rows
            ],
        )
        await session.commit()
        hits = await search_index(session, VectorIndexCache(), Text, target, 3)
    assert [h.entity_id for h in hits].count(ids[0]) == 1
    assert hits[0].entity_id == ids[0]
    assert len(hits) == 3


async def test_replacing_the_newest_vector_is_noticed(world: World) -> None:
    rng = np.random.default_rng(6)
    ids = await _assets(world, 3)
    old = {eid: rng.standard_normal(DIM).astype(np.float32) for eid in ids}
    await _store(world, old)
    cache = VectorIndexCache()
    async with world.session() as session:
        assert (await search_index(session, cache, ClipTable, old[ids[2]], 1))[0].entity_id == ids[2]
        await session.execute(delete(ClipTable).where(ClipTable.entity_id == ids[2]))
        await session.commit()
    await _store(world, {ids[2]: old[ids[0]]})
    async with world.session() as session:
        hits = await search_index(session, cache, ClipTable, old[ids[0]], 3)
    assert {h.entity_id for h in hits[:2]} == {ids[0], ids[2]}
    assert hits[1].score > 0.999


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 300),
    k=st.integers(1, 20),
    keep=st.floats(0.0, 1.0),
    block=st.integers(1, 64),
    seed=st.integers(0, 2**31),
)
def test_masked_top_k_is_the_exact_top_k_of_the_kept_rows(
    n: int, k: int, keep: float, block: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((n, 16)).astype(np.float32)
    query = rng.standard_normal(16).astype(np.float32)
    mask = rng.random(n) < keep
    rows, scores = top_k_rows(matrix, query, k, block_rows=block, row_mask=mask)
    kept_scores = (matrix @ query)[mask]
    expected = np.sort(kept_scores)[::-1][: min(k, int(mask.sum()))]
    assert mask[rows].all()
    assert np.allclose(scores, expected, atol=1e-5)


def test_wide_restrictions_and_exclusions_match_a_brute_force_ranking() -> None:
    from dam_desktop.services.semantic.vector_index import VectorIndex

    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((200, DIM)).astype(np.float32)
    index = VectorIndex(ClipTable)
    entity_ids = np.arange(1000, 1200)
    index.add_rows(np.arange(1, 201), entity_ids, vectors)
    query = vectors[3]
    normalised = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    scores = normalised @ (query / np.linalg.norm(query))
    allowed = {int(e) for e in entity_ids[::2]}  # half the library: scored through a mask
    excluded = {1000 + 3, 1000 + 4}
    expected = [
        int(entity_ids[i])
        for i in np.argsort(-scores)
        if int(entity_ids[i]) in allowed and int(entity_ids[i]) not in excluded
    ][:10]
    got = index.nearest_entities(query, 10, allowed_entity_ids=allowed, exclude_entity_ids=excluded)
    assert [eid for eid, _ in got] == expected


async def test_an_index_of_one_model_never_sees_another_models_vectors(world: World) -> None:
    rng = np.random.default_rng(9)
    ids = await _assets(world, 4)
    first = {eid: rng.standard_normal(DIM).astype(np.float32) for eid in ids[:3]}
    await _store(world, first, "clip-vit-b-32")
    await _store(world, {ids[3]: first[ids[0]]}, "clip-vit-b-16")  # the same vector, another model
    cache = VectorIndexCache()
    async with world.session() as session:
        b32 = await search_index(session, cache, ClipTable, first[ids[0]], 10, model_name="clip-vit-b-32")
        b16 = await search_index(session, cache, ClipTable, first[ids[0]], 10, model_name="clip-vit-b-16")
    assert {h.entity_id for h in b32} == set(ids[:3])
    assert [h.entity_id for h in b16] == [ids[3]]
