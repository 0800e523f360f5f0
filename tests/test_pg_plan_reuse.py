"""On PostgreSQL, pages of one shape share one statement (their tag ids bound), so the server
plans it once; a statement whose plan hinges on a tag's size keeps its ids written in; and a tag
name prefix is found in an index, whatever the database's collation."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from dam_desktop.core.sql_dialect import POSTGRESQL, SQLITE, portable_sql
from dam_desktop.services.search import search_service
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.search.tag_query.planner import Stats, plan_count, plan_select
from dam_desktop.services.search.tag_query.to_sql import AllOf, NotP, TagSet
from dam_desktop.services.tags import tag_service
from tests.pg_server import test_backend
from tests.test_tag_support import AssetSpec, make_assets

LIBRARY = Stats(1_000_000, 5_000)
POPULAR = TagSet(frozenset({7}), 190_000)
RARE = TagSet(frozenset({1234}), 900)
OTHER_RARE = TagSet(frozenset({4321}), 700)


def _on_server(sql: str) -> tuple[str, dict[str, Any]]:
    return portable_sql(POSTGRESQL, sql, {"limit": 100, "offset": 0})


def test_a_page_walked_from_a_tags_links_binds_its_tag_ids_on_postgresql() -> None:
    page = plan_select(AllOf((POPULAR, RARE)), LIBRARY, SortKey.ADDED, True, 100, 0)
    sql, params = _on_server(page.sql)
    assert "1234" not in sql and "= 7 " not in sql, sql
    assert sorted(v for k, v in params.items() if k.startswith("tag_id_")) == [7, 1234]
    # Another pair of tags of the same sizes: the same statement, other values.
    other = plan_select(
        AllOf((TagSet(frozenset({8}), 180_000), OTHER_RARE)), LIBRARY, SortKey.ADDED, True, 100, 0
    )
    assert _on_server(other.sql)[0] == sql
    # SQLite's statement keeps its ids (its plan hints pin the walk; nothing to share).
    assert portable_sql(SQLITE, page.sql, {})[0] == page.sql and "1234" in page.sql


def test_a_tag_far_more_common_than_the_walks_own_is_probed_per_row_on_postgresql() -> None:
    """Planning without the ids, PostgreSQL may merge the popular tag's whole range into the rare
    tag's few links; the popular tag is looked up per row instead, as a filter on the rare tag's
    walk (before the row's file properties and trash are read). Tags of like sizes merge."""
    lopsided = plan_select(AllOf((POPULAR, OTHER_RARE)), LIBRARY, SortKey.ADDED, True, 100, 0)
    sql, _ = _on_server(lopsided.sql)
    probe = "EXISTS (SELECT 1 FROM component_entity_tag_link j0 WHERE j0.tag_concept_entity_id = :tag_id_"
    assert f" WHERE {probe}" in sql, sql
    assert "FROM component_entity_tag_link d " in sql and "j0.entity_id = d.entity_id OFFSET 0) AND " in sql
    assert " JOIN component_entity_tag_link j0" not in sql
    alike = plan_select(
        AllOf((POPULAR, TagSet(frozenset({8}), 150_000))), LIBRARY, SortKey.ADDED, True, 100, 0
    )
    assert "OFFSET 0" not in _on_server(alike.sql)[0]
    # On SQLite the mark is a comment: the same join, probed as every join there is.
    assert " ON /* probe */ j0.tag_concept_entity_id = 7 AND j0.entity_id = d.entity_id" in lopsided.sql


@pytest.mark.parametrize(
    "what",
    ["popular tag by size", "everything but a popular tag", "count of two tags"],
)
def test_a_statement_whose_plan_hinges_on_a_tags_size_keeps_its_ids_written_in(what: str) -> None:
    from dam_desktop.services.search.tag_query.to_sql import Cond

    if what == "popular tag by size":
        sql = plan_select(POPULAR, LIBRARY, SortKey.SIZE, True, 1000, 0).sql
    elif what == "everything but a popular tag":
        images = Cond("fp.asset_type = 'image'", 0.8)
        sql = plan_select(AllOf((images, NotP(POPULAR))), LIBRARY, SortKey.ADDED, True, 1000, 0).sql
    else:
        sql = plan_count(AllOf((POPULAR, RARE)), LIBRARY).sql
    bound, params = _on_server(sql)
    assert "tag_concept_entity_id = 7" in bound, bound
    assert not any(k.startswith("tag_id_") for k in params)


@pytest.mark.skipif(test_backend() != "postgresql", reason="reads PostgreSQL's prepared statements")
async def test_two_tag_pages_share_one_prepared_statement_and_answer_each_right(world: Any) -> None:
    names = ["red", "green", "blue", "cyan", "gold", "pink"]  # each on half the assets: one plan
    async with world.session() as s:
        specs = [AssetSpec(tags=tuple(t for k, t in enumerate(names) if (n >> k) & 1)) for n in range(64)]
        ids = await make_assets(s, specs)
        await s.commit()
        pairs = [(a, b) for a in names for b in names if a < b]
        for a, b in pairs:
            expected = sorted(
                (i for i, spec in zip(ids, specs, strict=True) if {a, b} <= set(spec.tags)), reverse=True
            )
            assert await search_service.search(s, f"{a} {b}", limit=100) == expected, (a, b)
        rows = (
            await s.execute(
                text(
                    "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
                    " WHERE statement LIKE '%ORDER BY d.entity_id DESC LIMIT%'"
                )
            )
        ).all()
    # psycopg prepared the page's text after a few runs, and every pair after that reused it.
    assert len(rows) == 1, rows
    statement, runs = rows[0]
    assert "tag_concept_entity_id = $" in statement
    assert runs >= len(pairs) - 5


@pytest.mark.skipif(test_backend() != "postgresql", reason="reads PostgreSQL's query plan (EXPLAIN)")
async def test_tag_names_by_prefix_are_read_from_an_index(world: Any) -> None:
    async with world.session() as s:
        for name in ["ravel", "raven", "character:rabbit", "robin", "apple"]:
            await tag_service.get_or_create_tag_concept(s, name)
        await tag_service.add_alias(s, await tag_service.require_tag(s, "apple"), "rapple")
        await s.commit()
        found = {t.name for t in await tag_service.autocomplete(s, "ra")}
        assert found == {"character:rabbit", "apple", "ravel", "raven"}  # apple by its alias
        await s.execute(text("SET LOCAL enable_seqscan = off"))
        for table, column, index in [
            ("component_tag_concept", "tag_name", "ix_component_tag_concept_name_pattern"),
            (
                "component_tag_concept",
                "substr(tag_name, length(namespace) + 2)",
                "ix_component_tag_concept_local_name_pattern",
            ),
            ("component_tag_alias", "alias_name", "ix_component_tag_alias_name_pattern"),
        ]:
            where = f"{column} ~ '^ra.*$'" + (" AND namespace > ''" if "namespace" in column else "")
            plan = "\n".join(
                r[0] for r in (await s.execute(text(f"EXPLAIN SELECT 1 FROM {table} WHERE {where}"))).all()
            )
            assert index in plan, plan


@pytest.mark.skipif(test_backend() != "postgresql", reason="a shared library's round trips")
async def test_a_remembered_tag_name_is_checked_in_the_pages_round_trip(world: Any, monkeypatch: Any) -> None:
    """A search sends the lookup of the names it remembers with its page, in one pipeline; a
    rename the world never heard of (no announcement) still shows in the next search."""
    import psycopg

    from dam_desktop.use_cases.search import count_matches, search_ids

    async with world.session() as s:
        cats = await make_assets(s, [AssetSpec(tags=("cat", "pet")), AssetSpec(tags=("cat",))])
        await s.commit()
    assert sorted((await search_ids(world, "cat pet")).tolist()) == cats[:1]  # names remembered

    sent: list[tuple[str, bool]] = []
    execute = psycopg.AsyncCursor.execute

    async def recording(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        piped = cursor.connection.info.pipeline_status != psycopg.pq.PipelineStatus.OFF
        sent.append((str(query), piped))
        return await execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.AsyncCursor, "execute", recording)
    assert sorted((await search_ids(world, "cat pet")).tolist()) == cats[:1]
    assert [piped for _, piped in sent] == [True, True], sent
    assert "tag_name" in sent[0][0] and "LIMIT" in sent[1][0]
    monkeypatch.undo()

    # Another workstation renames the tag; this world hears nothing of it.
    with psycopg.connect(world.config.database_url, autocommit=True) as other:
        other.execute("UPDATE component_tag_concept SET tag_name = 'feline' WHERE tag_name = 'cat'")
    assert (await search_ids(world, "cat pet")).tolist() == []
    assert await count_matches(world, "cat") == 0
    assert sorted((await search_ids(world, "feline")).tolist()) == sorted(cats)


@pytest.mark.skipif(test_backend() != "postgresql", reason="reads PostgreSQL's prepared statements")
async def test_searches_one_after_another_reuse_one_connections_prepared_page(world: Any) -> None:
    """The pool hands out the connection given back last: one search after another runs on the
    connection that has their page prepared, not on each of the pool's in turn (each would plan
    the page itself for its first five runs)."""
    import asyncio

    from dam_desktop.use_cases.search import search_ids

    names = ["red", "green", "blue", "cyan", "gold", "pink"]
    async with world.session() as s:
        await make_assets(
            s, [AssetSpec(tags=tuple(t for k, t in enumerate(names) if (n >> k) & 1)) for n in range(64)]
        )
        await s.commit()

    async def hold_a_connection() -> None:
        async with world.read_session() as s:
            await s.execute(text("SELECT pg_sleep(0.05)"))

    await asyncio.gather(*(hold_a_connection() for _ in range(4)))  # the pool now keeps four
    pairs = [(a, b) for a in names for b in names if a < b]
    for a, b in pairs:
        await search_ids(world, f"{a} {b}")
    async with world.read_session() as s:
        runs = (
            await s.execute(
                text(
                    "SELECT coalesce(sum(generic_plans + custom_plans), 0) FROM pg_prepared_statements"
                    " WHERE statement LIKE '%ORDER BY d.entity_id DESC%'"
                )
            )
        ).scalar_one()
    assert runs >= len(pairs) - 5
