"""A studio's shared library: a real PostgreSQL server and a store folder, opened like a folder."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dam_desktop.core.errors import LibraryError
from dam_desktop.core.events import WorldChanged
from dam_desktop.core.server_database import server_is_up_to_date
from dam_desktop.core.world import World
from dam_desktop.services.browse.browse_service import asset_ids, library_counts
from dam_desktop.use_cases import tags as tag_cases
from dam_desktop.use_cases.imports import import_files
from dam_desktop.world_setup import open_world
from tests.import_media_factory import make_png
from tests.pg_server import PostgresServer

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_the_same_migrations_make_exactly_the_models_on_postgresql(shared_library_url: str) -> None:
    alembic = [
        sys.executable,
        "-m",
        "alembic",
        "-c",
        str(REPO_ROOT / "alembic.ini"),
        "-x",
        f"db={shared_library_url}",
    ]
    upgrade = subprocess.run([*alembic, "upgrade", "heads"], capture_output=True, text=True, check=False)
    assert upgrade.returncode == 0, upgrade.stderr
    check = subprocess.run([*alembic, "check"], capture_output=True, text=True, check=False)
    assert "No new upgrade operations detected" in check.stdout + check.stderr, check.stdout + check.stderr
    assert server_is_up_to_date(shared_library_url)


async def test_a_new_shared_library_records_its_store_and_a_workstation_maps_its_own_mount(
    shared_library_url: str, tmp_path: Path
) -> None:
    store = tmp_path / "studio-share"
    with pytest.raises(LibraryError, match="--store"):
        await World.open_shared(shared_library_url)  # a new library must be told where its files go

    first = await open_world_shared(shared_library_url, store)
    try:
        assert first.is_shared and first.paths.root == store.resolve()
        assert (store / "files").is_dir() and (store / "thumbnails").is_dir()
    finally:
        await first.close()

    # Another workstation opens it by URL alone and finds the store where it was recorded; a third
    # mounts the share elsewhere and says so.
    second = await open_world(shared_library_url)
    mount = tmp_path / "mnt" / "studio"
    third = await World.open_shared(shared_library_url, mount)
    try:
        assert second.paths.root == store.resolve()
        assert third.paths.root == mount.resolve()
        assert second.paths.tmp_dir != third.paths.tmp_dir  # each process writes under its own name
    finally:
        await second.close()
        await third.close()


async def open_world_shared(url: str, store: Path) -> World:
    await (await World.open_shared(url, store)).close()
    return await open_world(url)


async def test_two_workstations_import_tag_and_list_one_library(
    shared_library_url: str, tmp_path: Path
) -> None:
    a = await open_world_shared(shared_library_url, tmp_path / "store")
    b = await open_world(shared_library_url)
    try:
        for i in range(6):
            make_png(tmp_path / "drop" / f"shot{i}.png", (16, 12), seed=i)
        # Both import the same folder at the same moment: each file becomes one asset.
        first, second = await asyncio.gather(
            import_files(a, [tmp_path / "drop"]), import_files(b, [tmp_path / "drop"])
        )
        assert len(first.imported) + len(second.imported) == 6
        assert first.duplicates + second.duplicates == 6

        await tag_cases.add_tags(a, list(first.imported) + list(second.imported), ["character:alice"])

        async with b.session() as session:
            ids = await asset_ids(session)
            counts = await library_counts(session)
        assert sorted(ids.tolist()) == sorted([*first.imported, *second.imported])
        assert (counts.assets, counts.images) == (6, 6)
        tags = {t.name: t.use_count for t in await tag_cases.list_tags(b)}
        assert tags == {"character:alice": 6}
        assert len(list((tmp_path / "store" / "files").rglob("*"))) > 6  # the copies, in the store
    finally:
        await a.close()
        await b.close()


async def test_an_unreachable_server_is_named_in_a_plain_message(tmp_path: Path) -> None:
    url = f"postgresql://nobody@/studio?host={tmp_path}"  # no server listens on this socket
    with pytest.raises(LibraryError) as caught:
        await World.open_shared(url, tmp_path / "store")
    message = str(caught.value)
    assert message.startswith("cannot reach the shared library at postgresql://nobody@/studio")
    assert "Traceback" not in message


def test_the_test_server_is_a_real_postgresql(postgres_server: PostgresServer) -> None:
    assert "PostgreSQL" in postgres_server.psql("SELECT version()")


async def test_each_workstation_hears_the_others_changes_and_sees_who_is_connected(
    shared_library_url: str, tmp_path: Path
) -> None:
    a = await open_world_shared(shared_library_url, tmp_path / "store")
    b = await open_world(shared_library_url)
    heard_by_b: list[WorldChanged] = []
    heard_by_a: list[WorldChanged] = []
    b.add_change_listener(heard_by_b.append)
    a.add_change_listener(heard_by_a.append)
    try:
        assert await a.peers() == [b.paths.client]
        make_png(tmp_path / "drop" / "storm.png", (20, 10), seed=7)
        report = await import_files(a, [tmp_path / "drop"])
        (new_id,) = report.imported

        await asyncio.wait_for(
            _until(lambda: any(c.added and new_id in c.entity_ids for c in heard_by_b)), timeout=10
        )
        async with b.session() as session:  # what B was told is already committed
            assert new_id in (await asset_ids(session)).tolist()

        await tag_cases.add_tags(b, [new_id], ["weather"])
        await asyncio.wait_for(
            _until(lambda: any(c.touches("tags") and new_id in c.entity_ids for c in heard_by_a)), timeout=10
        )
        # A's own import was told to A once (locally), never echoed back by the server.
        assert sum(1 for c in heard_by_a if c.added) == 1
    finally:
        await a.close()
        await b.close()


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.01)


def test_the_command_line_opens_a_shared_library_by_its_url(shared_library_url: str, tmp_path: Path) -> None:
    # In a process of its own, as a user runs it (the import may start a QGuiApplication).
    def dam(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "dam_desktop.cli.main", "--library", shared_library_url, *args]
        return subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO_ROOT)

    for i in range(3):
        make_png(tmp_path / "drop" / f"frame{i}.png", (10, 10), seed=i)
    imported = dam("--store", str(tmp_path / "store"), "import", "--no-process", str(tmp_path / "drop"))
    assert imported.returncode == 0, imported.stderr
    listed = dam("list")
    assert listed.returncode == 0 and all(f"frame{i}.png" in listed.stdout for i in range(3))
    info = dam("info")
    assert "postgresql://" in info.stdout and str(tmp_path / "store") in info.stdout
    # Backups of the database are the server's (pg_dump): said plainly, exit status 2.
    backup = dam("backup", str(tmp_path / "copy"))
    assert backup.returncode == 2 and "pg_dump" in backup.stderr


async def test_a_window_hears_when_the_server_goes_away_and_when_it_is_back(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    from tests.pg_server import start_server

    own = start_server()  # one this test may stop without stopping the others'
    try:
        world = await open_world_shared(own.new_database(), tmp_path / "store")
        states: list[bool] = []
        world.on_server_connection(states.append)
        try:
            own.kill()
            await asyncio.wait_for(_until(lambda: states[-1:] == [False]), timeout=30)
            own.start()
            await asyncio.wait_for(_until(lambda: states[-1:] == [True]), timeout=30)
            async with world.session() as session:  # and the world reads again
                assert (await asset_ids(session)).tolist() == []
        finally:
            await world.close()
    finally:
        own.stop()
