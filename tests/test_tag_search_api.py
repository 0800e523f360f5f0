"""The search API the grid, sidebar and CLI use: terms at their boundaries, paging, orders,
errors with positions, the term registry, bulk edits by query, and saved searches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import text

from dam_desktop.services.search import search_service
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.search.tag_query import QueryError, QuerySyntaxError, QueryTermError, Term, to_sql
from dam_desktop.services.tags import tag_service
from tests.pg_server import test_backend
from tests.test_tag_support import AssetSpec, make_assets


async def ids_for(s: Any, query: str) -> set[int]:
    found = await search_service.search(s, query, limit=None)
    assert len(found) == len(set(found))
    return set(found)


async def test_property_terms_at_their_boundaries(world: Any) -> None:
    async with world.session() as s:
        small, exact, big, song, other, trashed = await make_assets(
            s,
            [
                AssetSpec(
                    name="s.png", size=999, width=1000, height=600, added=datetime(2025, 12, 31, 23, 59, 59)
                ),
                AssetSpec(name="e.png", size=1000, width=1001, height=601, added=datetime(2026, 1, 1)),
                AssetSpec(
                    name="b.jpg",
                    ext="jpg",
                    size=10_000_001,
                    width=4000,
                    height=3000,
                    added=datetime(2026, 1, 2),
                ),
                AssetSpec(
                    name="a.wav",
                    asset_type="audio",
                    ext="wav",
                    size=10_000_000,
                    duration=2.5,
                    added=datetime(2024, 6, 1),
                ),
                AssetSpec(name="o.txt", asset_type="other", ext="txt", size=5, added=datetime(2024, 6, 1)),
                AssetSpec(name="t.png", size=1000, width=5000, height=5000, trashed=True),
            ],
        )
        await s.commit()
        assert await ids_for(s, "width:>1000") == {exact, big}
        assert await ids_for(s, "width:>=1000") == {small, exact, big}
        assert await ids_for(s, "height:<=600") == {small}
        assert await ids_for(s, "-width:>1000") == {small, song, other}  # no width is not > 1000
        assert await ids_for(s, "duration:>2.5") == set()
        assert await ids_for(s, "duration:>=2.5") == {song}
        assert await ids_for(s, "duration:2.5s") == {song}
        assert await ids_for(s, "size:>10MB") == {big}
        assert await ids_for(s, "size:>=10MB") == {song, big}
        assert await ids_for(s, "size:1KB") == {exact}
        assert await ids_for(s, "size:<1kb") == {small, other}
        assert await ids_for(s, "size:>9.5MiB") == {song, big}
        assert await ids_for(s, "added:>2025-12-31") == {exact, big}
        assert await ids_for(s, "added:2026-01-01") == {exact}
        assert await ids_for(s, "added:<2026-01-01") == {small, song, other}
        assert await ids_for(s, "added:<=2026-01") == {small, exact, big, song, other}
        assert await ids_for(s, "added:2025") == {small}
        assert await ids_for(s, "type:image|audio") == {small, exact, big, song}
        assert await ids_for(s, "type:other") == {other}
        assert await ids_for(s, "ext:.JPG") == {big}
        assert await ids_for(s, "ext:p*") == {small, exact}
        assert await ids_for(s, "untagged") == {small, exact, big, song, other}
        assert trashed not in await ids_for(s, "")


@pytest.mark.parametrize(
    ("query", "position", "fragment"),
    [
        ("cat width:>abc", 4, "expects a number"),
        ("size:>10XB", 0, "expects a size"),
        ("added:>2026-13-01", 0, "expects a date"),
        ("type:movie", 0, "image, audio, video, document, font or other"),
        ("cat character:>alice", 4, "tag namespace"),
        ("has:nothing", 0, "unknown 'has:nothing'"),
    ],
)
async def test_term_errors_name_the_term_and_its_position(
    world: Any, query: str, position: int, fragment: str
) -> None:
    async with world.session() as s:
        with pytest.raises(QueryTermError) as info:
            await search_service.search(s, query)
        assert info.value.position == position
        assert fragment in info.value.message
        error = await search_service.query_error(s, query)
        assert isinstance(error, QueryError) and error.position == position
        assert await search_service.query_error(s, "cat -dog") is None
    assert isinstance(search_service.syntax_error("(cat"), QuerySyntaxError)
    assert search_service.syntax_error(query) is None  # well formed; only the value is wrong


async def test_pages_follow_each_order_and_never_overlap(world: Any) -> None:
    async with world.session() as s:
        specs = [
            AssetSpec(
                name=f"{name}.png",
                size=size,
                added=datetime(2026, 1, 1 + day),
                asset_type=kind,
                ext="wav" if kind == "audio" else "png",
                tags=("all",),
            )
            for name, size, day, kind in [
                ("delta", 5, 0, "image"),
                ("Alpha", 5, 3, "audio"),
                ("charlie", 1, 3, "image"),
                ("bravo", 9, 1, "audio"),
                ("echo", 7, 2, "image"),
            ]
        ]
        d, a, c, b, e = await make_assets(s, specs)
        await s.commit()
        expected = {
            # Date added is the order the assets were added in, whatever their dates say.
            (SortKey.ADDED, True): [e, b, c, a, d],
            (SortKey.ADDED, False): [d, a, c, b, e],
            (SortKey.NAME, False): [a, b, c, d, e],
            (SortKey.SIZE, True): [b, e, a, d, c],
            (SortKey.TYPE, False): [a, b, c, d, e],
        }
        for query in ("", "all", "-nothing"):
            for (key, desc), order in expected.items():
                pages = [await search_service.search(s, query, off, 2, key, desc) for off in (0, 2, 4)]
                assert [i for p in pages for i in p] == order, (query, key, desc)
        # descending=None takes each key's natural direction.
        assert await search_service.search(s, "", 0, 5, SortKey.NAME) == expected[(SortKey.NAME, False)]
        assert await search_service.search(s, "", 0, 5, SortKey.SIZE) == expected[(SortKey.SIZE, True)]
        assert await search_service.count(s, "") == 5
        assert SortKey("added") is SortKey.ADDED and SortKey.ADDED.label == "Date added"


async def explained(s: Any, sql: str, params: dict[str, Any]) -> str:
    rows = (await s.execute(text("EXPLAIN QUERY PLAN " + sql), params)).all()
    return "\n".join(str(r[-1]) for r in rows)


@pytest.mark.skipif(test_backend() != "sqlite", reason="reads SQLite's query plan (EXPLAIN QUERY PLAN)")
async def test_planner_reads_the_rarest_tag_in_date_order_and_stops_at_the_page(world: Any) -> None:
    async with world.session() as s:
        specs = [AssetSpec(tags=("common",)) for _ in range(60)] + [AssetSpec(tags=("common", "rare"))]
        ids = await make_assets(s, specs)
        await s.commit()
        rare = await tag_service.require_tag(s, "rare")
        rare_plan, params = await search_service.plan(s, "common rare", limit=10)
        assert rare_plan.kind == "tag-ordered"
        assert f"d.tag_concept_entity_id = {rare}" in rare_plan.sql
        # The tag's links are read in entity id order, which is the date order: nothing is sorted.
        assert "TEMP B-TREE" not in await explained(s, rare_plan.sql, params)
        assert await search_service.search(s, "common rare") == [ids[-1]]
        common_plan, params = await search_service.plan(s, "common", limit=10)
        assert "TEMP B-TREE" not in await explained(s, common_plan.sql, params)
        assert await search_service.search(s, "common", limit=10) == sorted(ids, reverse=True)[:10]
        assert await search_service.search(s, "common", 55, 10, descending=False) == sorted(ids)[55:]
        # Sorting by name has no index to walk: the rarest tag's assets are read, then sorted.
        by_name, _ = await search_service.plan(s, "common rare", limit=10, sort=SortKey.NAME)
        assert by_name.kind == "tag"


@pytest.mark.skipif(test_backend() != "sqlite", reason="reads SQLite's query plan (EXPLAIN QUERY PLAN)")
async def test_a_popular_tag_with_a_property_check_is_merged_with_the_property_range(world: Any) -> None:
    from dam_desktop.services.search.tag_query import planner

    async with world.session() as s:
        specs = [
            AssetSpec(width=500 + 300 * (n % 5), tags=("common",) + (("odd",) if n % 2 else ()))
            for n in range(40)
        ] + [AssetSpec(width=3000, trashed=True, tags=("common",)), AssetSpec(width=3000)]
        ids = await make_assets(s, specs)
        await s.commit()
        query = "common -odd width:>1000"
        expected = [i for n, i in enumerate(ids[:40]) if n % 2 == 0 and 500 + 300 * (n % 5) > 1000]
        assert await search_service.search(s, query, limit=None) == sorted(expected, reverse=True)
        compiled = await search_service.compile_search(s, query)
        # Believing the tag is on most of a big library, the width range is worth merging.
        big = planner.Stats(1_000_000, 1)
        plans = {plan.kind: plan for plan in planner.count_plans(compiled.pred, big)}
        ranged = plans["tag+ranges"]
        assert "INTERSECT SELECT x.entity_id FROM component_image_properties x" in ranged.sql
        for plan in plans.values():
            assert await s.scalar(text(plan.sql), compiled.params) == len(expected), plan.kind
        explained_plan = await explained(s, ranged.sql, compiled.params)
        assert "MERGE (INTERSECT)" in explained_plan


async def test_registered_terms_plug_into_the_compiler(world: Any) -> None:
    async with world.session() as s:
        a, b = await make_assets(s, [AssetSpec(name="keep.png"), AssetSpec(name="drop.png")])
        await s.commit()

        async def starred(ctx: to_sql.CompileContext, term: Term) -> to_sql.Pred:
            return to_sql.Cond(f"fp.original_filename = {ctx.param(term.value + '.png')}")

        to_sql.register_term("file:", starred)
        try:
            assert await ids_for(s, "file:keep") == {a}
            assert await ids_for(s, "-file:keep") == {b}
        finally:
            del to_sql.TERM_HANDLERS["file:"]
        # Unregistered again, `file:keep` is an (unknown) namespaced tag.
        assert await ids_for(s, "file:keep") == set()


async def test_model_tag_terms(world: Any) -> None:
    async with world.session() as s:
        a, b = await make_assets(s, [AssetSpec(tags=("cat",)), AssetSpec()])
        cat = await tag_service.require_tag(s, "cat")
        await s.execute(
            text(
                "INSERT INTO component_model_generated_tag_link (entity_id, tag_concept_entity_id,"
                " source_model_name, confidence) VALUES (:e, :t, 'm', 0.9)"
            ),
            {"e": b, "t": cat},
        )
        await s.commit()
        assert await ids_for(s, "has:model-tags") == {b}
        assert await ids_for(s, "model:cat") == {b}
        assert await ids_for(s, "cat | model:cat") == {a, b}
        assert await ids_for(s, "has:tags") == {a}


async def test_bulk_edit_by_query(world: Any) -> None:
    async with world.session() as s:
        a, b, c = await make_assets(
            s,
            [AssetSpec(asset_type="audio", ext="wav"), AssetSpec(asset_type="audio", ext="wav"), AssetSpec()],
        )
        assert await search_service.add_tags_to_query(s, "type:audio", ["sound", "Loud"]) == 4
        assert await search_service.add_tags_to_query(s, "type:audio", ["sound"]) == 0
        await s.commit()
        assert await ids_for(s, "sound loud") == {a, b}
        assert await search_service.remove_tags_from_query(s, "loud", ["loud", "unknown"]) == 2
        assert await ids_for(s, "loud") == set()
        assert await ids_for(s, "untagged") == {c}


async def test_saved_searches(world: Any) -> None:
    async with world.session() as s:
        await search_service.save_search(s, "Big  cats", "cat width:>1000")
        await search_service.save_search(s, "audio", "type:audio")
        await search_service.save_search(s, "Big cats", "cat width:>2000")  # replaces
        with pytest.raises(QuerySyntaxError):
            await search_service.save_search(s, "broken", "(cat")
        await s.commit()
    async with world.session() as s:
        saved = await search_service.list_saved_searches(s)
        assert [(x.name, x.query) for x in saved] == [
            ("audio", "type:audio"),
            ("Big cats", "cat width:>2000"),
        ]
        await search_service.rename_saved_search(s, "audio", "Sounds")
        with pytest.raises(search_service.SavedSearchError):
            await search_service.rename_saved_search(s, "Sounds", "Big cats")
        assert await search_service.delete_saved_search(s, "Big cats")
        assert not await search_service.delete_saved_search(s, "Big cats")
        await s.commit()
        assert [x.name for x in await search_service.list_saved_searches(s)] == ["Sounds"]
        # A saved search's entity is not an asset.
        assert await search_service.count(s, "") == 0


@pytest.mark.skipif(test_backend() != "postgresql", reason="reads PostgreSQL's query plan (EXPLAIN)")
async def test_a_tag_checked_while_walking_the_size_order_is_looked_up_in_the_tags_own_range(
    world: Any,
) -> None:
    from sqlalchemy.exc import IntegrityError

    async with world.session() as s:
        extra = ("a", "b", "c", "d", "e")
        specs = [AssetSpec(size=1000 + n, tags=(("common",) if n % 3 else ()) + extra) for n in range(60)]
        ids = await make_assets(s, specs)
        await s.commit()
        await s.execute(text("ANALYZE component_entity_tag_link"))
        expected = sorted((i for n, i in enumerate(ids) if n % 3), reverse=True)[:10]
        assert await search_service.search(s, "common", limit=10, sort=SortKey.SIZE) == expected
        chosen, params = await search_service.plan(s, "common", limit=10, sort=SortKey.SIZE)
        sql, params = search_service.for_dialect("postgresql", chosen.sql, params)
        # A few rows: left to itself the server would read them whole; make it walk as at 1M.
        for setting in ("seqscan", "bitmapscan", "hashjoin", "mergejoin", "material"):
            await s.execute(text(f"SET LOCAL enable_{setting} = off"))
        plan = "\n".join(r[0] for r in (await s.execute(text("EXPLAIN " + sql), params)).all())
        reads = [line for line in plan.splitlines() if " on component_entity_tag_link" in line]
        assert reads and all("using ix_entity_tag_link_tag_entity on" in line for line in reads), plan
        # And it stays so at 1M, where the (tag, entity) index is the larger (filled all over): no
        # other index has a key that both ids fill, for the server to find cheaper.
        keyed_by_both = await s.scalar(
            text(
                "SELECT count(*) FROM pg_index i WHERE i.indrelid = 'component_entity_tag_link'::regclass"
                " AND i.indnkeyatts = 2"
            )
        )
        assert keyed_by_both == 1
        # The pair is still unique: a second link of the same tag to the same asset is refused.
        common = await tag_service.require_tag(s, "common")
        with pytest.raises(IntegrityError):
            async with s.begin_nested():
                await s.execute(
                    text(
                        "INSERT INTO component_entity_tag_link (entity_id, tag_concept_entity_id)"
                        " VALUES (:e, :t)"
                    ),
                    {"e": ids[1], "t": common},
                )
