"""Streamed results: keyset pages that stitch into the full order whatever walk the planner takes,
the library's plain sqlite3 read connections (a cancelled read is interrupted), and the window
showing a search's first screen, then the rest, with "about" until the count comes."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dam_desktop.core.read_pool import ReadPool
from dam_desktop.services.browse.browse_sql import LibraryCounts
from dam_desktop.services.search import search_service
from dam_desktop.services.search.paging import bound_params, page_columns
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.services.search.tag_query import planner
from dam_desktop.ui.window.main_window import MainWindow
from dam_desktop.ui.window.status_bar import count_text
from dam_desktop.use_cases import result_pages
from dam_desktop.use_cases.result_pages import count_result, next_page, open_search
from tests.test_query_semantics import (
    Evaluator,
    Lib,
    Q,
    beliefs,
    conjunctions,
    libraries,
    load,
    ordered,
    queries,
)
from tests.test_tag_support import AssetSpec, make_assets
from tests.ui_helpers import add_images, run


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lib=libraries(),
    qs=st.lists(queries | conjunctions, min_size=1, max_size=3),
    sort=st.sampled_from(list(SortKey)),
    descending=st.booleans(),
    start=st.integers(1, 4),
    limit=st.integers(1, 3),
)
# Found on PostgreSQL: a page after an asset, walking the text index by rowid, bound its start as
# (id + 1) << 31 on a 16-bit id, which wrapped to 0 and started the walk over.
@example(
    lib=Lib(
        assets=[
            AssetSpec(name="B.png", asset_type="other", size=2_500_000, added=datetime(2026, 2, 3, 9, 0)),
            AssetSpec(name="a.png", asset_type="other", ext="jpg", size=2_500_000, tags=("big cat",)),
        ],
        parents=[],
        aliases={},
    ),
    qs=[Q(text="cat", node=("tag", "cat"))],
    sort=SortKey.ADDED,
    descending=False,
    start=1,
    limit=1,
)
async def test_every_walk_continues_after_any_row_in_the_full_order(
    world: Any, lib: Lib, qs: list[Q], sort: SortKey, descending: bool, start: int, limit: int
) -> None:
    await load(world, lib)
    ev = Evaluator(lib)
    columns = page_columns(sort, descending)
    async with world.session() as s:
        for q in qs:
            full = ordered(ev, ev.results(q.node), sort, descending)
            if len(full) < start:
                continue
            compiled = await search_service.compile_search(s, q.text)
            real = await search_service.library_stats(s)
            params = search_service.page_params(compiled, 0, None)
            # The row a page ends on, with its key values, as the chosen walk reads it.
            every = planner.plan_select(compiled.pred, real, sort, descending, None, 0, columns=columns)
            # In the session's spelling, as the window's reads and the CLI run it.
            rows = (await s.execute(*search_service.executable(s, every.sql, params))).all()
            assert [int(r[0]) for r in rows] == full
            bound = {**params, **bound_params(tuple(rows[start - 1])), "limit": limit}
            for pred, stats in beliefs(compiled.pred, real):
                for plan in planner.select_plans(
                    pred, stats, sort, descending, limit, 0, columns=columns, after=True
                ):
                    got = [int(r[0]) for r in await s.execute(*search_service.executable(s, plan.sql, bound))]
                    assert got == full[start : start + limit], (q.text, plan.kind, plan.sql)


@pytest.mark.parametrize("sort", list(SortKey))
async def test_a_result_read_page_by_page_is_the_whole_result_in_order(world: Any, sort: SortKey) -> None:
    names = ["b.png", "A.png", "a.png", "c.wav", "B.jpg"]
    async with world.session() as s:
        await make_assets(
            s,
            [
                AssetSpec(
                    name=names[n % 5],
                    asset_type="audio" if n % 5 == 3 else "image",
                    ext=names[n % 5].rsplit(".", 1)[1],
                    size=1000 + n % 4,
                    tags=("cat",) if n % 3 else ("dog",),
                    trashed=n % 11 == 0,
                )
                for n in range(40)
            ],
        )
        await s.commit()
        expected = await search_service.search(s, "-dog", limit=None, sort=sort)
    assert len(expected) == 24

    result = await open_search(world, "-dog", sort=sort, first=5)
    pages = [result.first.ids.tolist()]
    cursor = result.first.next
    while cursor is not None:
        page = await next_page(world, cursor, 4)
        pages.append(page.ids.tolist())
        cursor = page.next
    assert [len(p) for p in pages] == [5, 4, 4, 4, 4, 3]
    assert [eid for page in pages for eid in page] == expected
    # The rest in one read, as where no index gives the order (on PostgreSQL too: no LIMIT -1).
    rest = await next_page(world, result.first.next, None)
    assert rest.ids.tolist() == expected[5:] and rest.next is None
    assert await count_result(world, result.query) == 24
    # A result that fits the first page says so: nothing more to read, its size exact.
    small = await open_search(world, "dog", sort=sort, first=50)
    assert small.first.next is None and small.estimate == len(small.first.ids) == 12


async def test_a_cancelled_read_is_interrupted_and_the_connection_serves_the_next(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite3"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE t (x)")
    pool = ReadPool(db, size=1)
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    reading = asyncio.ensure_future(pool.fetchall(endless))
    while not pool.opened:  # the worker has taken its connection: the statement is starting
        await asyncio.sleep(0.01)
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading
    # One worker: this runs only once the endless statement has stopped.
    assert await asyncio.wait_for(pool.fetchall("SELECT 41 + 1"), 60) == [(42,)]
    pool.close()


def test_the_count_says_about_until_it_is_exact() -> None:
    counts = LibraryCounts(assets=1_000_000, images=800_000, sounds=200_000, trashed=0)
    assert count_text(counts, 655_000, 0, trash=False, narrowed=True, exact=False) == (
        "about 655,000 of 1,000,000 assets"
    )
    assert count_text(counts, 655_123, 2, trash=False, narrowed=True) == (
        "655,123 of 1,000,000 assets  ·  2 selected"
    )


def test_a_search_shows_its_first_screen_then_streams_the_rest(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(result_pages, "FIRST_SCREEN", 2)
    run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 17, thumbnails=False)))
    sizes: list[int] = []
    ui_window.model.result_loaded.connect(lambda: sizes.append(ui_window.model.rowCount()))
    inserted: list[int] = []
    ui_window.model.rowsInserted.connect(lambda _p, first, last: inserted.append(last - first + 1))

    run(qtbot, ui_window.apply_search("type:image"))
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 17 and not ui_window.model.streaming)
    assert sizes[-1] == 2  # the first screen came alone
    assert inserted[-2:] == [8, 7]  # then the rest, in pages growing fourfold

    async def everything(world: Any) -> list[int]:
        async with world.session() as s:
            return await search_service.search(s, "type:image", limit=None)

    assert ui_window.model.ids.tolist() == run(qtbot, ui_client.call(everything))
    qtbot.waitUntil(lambda: ui_window.count_label.text().startswith("17 of 17 assets"))


def test_a_reload_keeps_a_selection_beyond_the_first_screen(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(result_pages, "FIRST_SCREEN", 3)
    run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 20, thumbnails=False)))
    run(qtbot, ui_window.reload())
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 20 and not ui_window.model.streaming)
    chosen = ui_window.model.entity_id(15)
    ui_window.grid.setCurrentIndex(ui_window.model.index(15, 0))
    assert ui_window.selected_ids() == [chosen]

    run(qtbot, ui_window.reload())  # as after an edit: the result is read again
    assert ui_window.selected_ids() == [chosen]  # at once, not when the rest has streamed in


def test_select_all_takes_in_the_rows_that_stream_in_after_it(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(result_pages, "FIRST_SCREEN", 2)
    run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 17, thumbnails=False)))
    edit_menu = next(a.menu() for a in ui_window.menuBar().actions() if "Edit" in a.text())
    select_all = next(a for a in edit_menu.actions() if a.text() == "Select &All")
    # The user presses Select All as soon as the first screen shows, before the rest has come.
    ui_window.model.result_loaded.connect(select_all.trigger)
    run(qtbot, ui_window.apply_search("type:image"))
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 17 and not ui_window.model.streaming)
    ui_window.model.result_loaded.disconnect(select_all.trigger)
    qtbot.waitUntil(lambda: "17 selected" in ui_window.count_label.text())
    assert sorted(ui_window.selected_ids()) == sorted(ui_window.model.ids.tolist())


async def test_the_about_count_follows_a_commit_at_once(world: Any) -> None:
    """The library's statistics steer plans and the "about N" shown before the count; they are
    remembered between searches, and forgotten the moment a change is committed."""
    async with world.session() as session:
        await make_assets(session, [AssetSpec(name=f"a{i}.png") for i in range(6)])
        await session.commit()
    first = await open_search(world, "", first=2)
    assert first.query.estimate == 6
    assert (await open_search(world, "", first=2)).query.estimate == 6  # remembered: the same

    async with world.session() as session:  # a change that announces nothing, committed
        await make_assets(session, [AssetSpec(name=f"b{i}.png") for i in range(4)])
        await session.commit()
    later = await open_search(world, "", first=2)
    assert later.query.estimate == 10
    assert await count_result(world, later.query) == 10
