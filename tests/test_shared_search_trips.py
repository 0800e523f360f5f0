"""Searches on a shared library make few round trips (no ping per checkout, no transaction of
their own, the library's statistics remembered between searches), and still answer right: after
the server ended their connections, and at once after another workstation's change."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dam_desktop.core.world import World
from dam_desktop.use_cases import tags as tag_cases
from dam_desktop.use_cases.imports import import_files
from dam_desktop.use_cases.result_pages import count_result, open_search
from dam_desktop.use_cases.search import count_matches, search_ids
from dam_desktop.world_setup import open_world
from tests.import_media_factory import make_png


async def _library(url: str, folder: Path, files: int) -> tuple[World, list[int]]:
    await (await World.open_shared(url, folder / "store")).close()
    world = await open_world(url)
    for i in range(files):
        make_png(folder / "drop" / f"shot{i}.png", (16, 12), seed=i)
    imported = list((await import_files(world, [folder / "drop"])).imported)
    assert len(imported) == files
    return world, imported


def _end_the_worlds_connections(url: str, application: str) -> int:
    """End every connection of one workstation's pool as the server does (restart, an
    administrator's `pg_terminate_backend`) and wait until they are gone; how many there were.
    The change feed's own two connections (LISTEN, NOTIFY) are left alone."""
    query = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        " AND application_name = %s AND pid <> pg_backend_pid() AND query <> ''"
        " AND query NOT ILIKE 'LISTEN%%' AND query NOT ILIKE '%%pg_notify%%'"
        " AND query NOT ILIKE '%%pg_stat_activity%%'"
    )
    with psycopg.connect(url, autocommit=True) as admin:
        pids = [row[0] for row in admin.execute(query, (application,)).fetchall()]
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        deadline = time.monotonic() + 30
        alive = "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)"
        while admin.execute(alive, (pids,)).fetchone() != (0,):
            assert time.monotonic() < deadline, "the server did not end the connections"
    return len(pids)


def _application_of(url: str, world: World) -> str:
    with psycopg.connect(url, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name LIKE %s",
            (f"%{world.paths.client}%",),
        ).fetchall()
    assert len(rows) == 1, rows
    return str(rows[0][0])


async def test_a_search_answers_after_the_server_ended_its_connections(
    shared_library_url: str, tmp_path: Path
) -> None:
    world, assets = await _library(shared_library_url, tmp_path, 3)
    try:
        await tag_cases.add_tags(world, assets[:2], ["plate"])
        assert sorted((await search_ids(world, "plate")).tolist()) == sorted(assets[:2])
        result = await open_search(world, "plate")
        assert sorted(result.first.ids.tolist()) == sorted(assets[:2])

        ended = _end_the_worlds_connections(shared_library_url, _application_of(shared_library_url, world))
        assert ended >= 1

        # The pooled connections are dead: each search still answers, on fresh ones.
        assert sorted((await search_ids(world, "plate")).tolist()) == sorted(assets[:2])
        result = await open_search(world, "plate")
        assert sorted(result.first.ids.tolist()) == sorted(assets[:2])
        assert await count_matches(world, "-plate") == 1

        _end_the_worlds_connections(shared_library_url, _application_of(shared_library_url, world))
        assert await count_result(world, result.query) == 2  # a read on the world's reads, too
        await tag_cases.add_tags(world, assets[2:], ["plate"])  # and a write
        assert await count_matches(world, "plate") == 3
    finally:
        await world.close()


async def test_another_workstations_rename_and_import_show_in_the_next_search(
    shared_library_url: str, tmp_path: Path
) -> None:
    a, assets = await _library(shared_library_url, tmp_path, 2)
    b = await open_world(shared_library_url)
    try:
        await tag_cases.add_tags(a, assets, ["cat"])
        assert sorted((await search_ids(a, "cat")).tolist()) == sorted(assets)
        first = await open_search(a, "")
        assert first.query.estimate == 2

        # Workstation B renames the tag and imports a third file; A searches at once, before
        # B's announcement may have arrived: nothing A remembered hides either change.
        await tag_cases.rename_tag(b, "cat", "feline")
        make_png(tmp_path / "more" / "new.png", (16, 12), seed=99)
        (new,) = (await import_files(b, [tmp_path / "more"])).imported
        await tag_cases.add_tags(b, [new], ["feline"])

        assert sorted((await search_ids(a, "feline")).tolist()) == sorted([*assets, new])
        assert (await search_ids(a, '"cat"')).tolist() == []
        result = await open_search(a, "feline")
        assert sorted(result.first.ids.tolist()) == sorted([*assets, new])
        assert await count_result(a, result.query) == 3
    finally:
        await a.close()
        await b.close()


async def test_a_search_opens_no_transaction_and_pings_nothing(
    shared_library_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the driver sends the server for one grid search: its statements only (no ping; no
    `BEGIN`, so no `ROLLBACK` either), the tag's lookup in the same pipeline as the first page, the
    library's statistics once until something changes."""
    world, assets = await _library(shared_library_url, tmp_path, 2)
    sent: list[tuple[str, bool, bool]] = []  # (statement, in a pipeline, a transaction could be open)
    execute = psycopg.AsyncCursor.execute

    async def recording(cursor: psycopg.AsyncCursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        result = await execute(cursor, query, *args, **kwargs)
        connection = cursor.connection
        piped = connection.info.pipeline_status != psycopg.pq.PipelineStatus.OFF
        # In a pipeline the status is the pipeline's: what matters is that nothing begins one.
        opened = not connection.autocommit if piped else connection.info.transaction_status != IDLE
        if "pg_notify" not in str(query):  # the change feed's own connection, not the pool's
            sent.append((str(query), piped, opened))
        return result

    try:
        await tag_cases.add_tags(world, assets, ["plate"])
        await open_search(world, "plate")  # the statistics are read once, then remembered

        monkeypatch.setattr(psycopg.AsyncCursor, "execute", recording)
        result = await open_search(world, "plate")
        assert sorted(result.first.ids.tolist()) == sorted(assets)
        # The tag's name looked up with the first page, in one pipeline; no transaction begun.
        assert [(piped, opened) for _, piped, opened in sent] == [(True, False), (True, False)], sent
        assert "tag_name" in sent[0][0] and "LIMIT" in sent[1][0]

        await tag_cases.add_tags(world, assets[:1], ["other"])  # a change: statistics read again
        sent.clear()
        await open_search(world, "plate")
        assert len(sent) == 3 and "max(id)" in sent[0][0], sent
        assert [opened for _, _, opened in sent] == [False, False, False], sent
    finally:
        await world.close()


IDLE = psycopg.pq.TransactionStatus.IDLE


@pytest.fixture(autouse=True)
def _postgresql_only(postgres_server: object) -> None:
    """These tests are about the server (the fixture skips, saying why, where none can start)."""
