"""A damaged library database is found, made read-only, reported in one line, and repaired; a
zero-byte or foreign database file is refused and left as it is."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import pytest

from dam_desktop.core import World
from dam_desktop.core.database_health import BACKGROUND_NICENESS, lower_this_threads_priority
from dam_desktop.core.errors import LibraryDamagedError, LibraryError
from dam_desktop.models import FilePropertiesComponent
from dam_desktop.services import ecs_service

pytestmark = pytest.mark.sqlite_only(
    "damage to a library's SQLite file, found and repaired (a server checks its own pages)"
)

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSETS = 4_000


def cli(library: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dam_desktop", "--library", str(library), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        check=False,
    )


async def make_library(root: Path) -> Path:
    """A library made by the app, filled with assets (entity + file properties) through sqlite3."""
    async with await World.open(root):
        pass
    db_path = root / "dam.sqlite3"
    with closing(sqlite3.connect(db_path)) as connection, connection:
        connection.executemany(
            "INSERT INTO entities (id, created_at) VALUES (?, '2026-01-01 00:00:00')",
            ((i,) for i in range(1, ASSETS + 1)),
        )
        connection.executemany(
            "INSERT INTO component_file_properties (entity_id, original_filename, file_size_bytes, "
            "mime_type, file_extension, asset_type) VALUES (?, ?, ?, 'image/png', 'png', 'image')",
            ((i, f"picture-{i:05d}.png", i) for i in range(1, ASSETS + 1)),
        )
    with closing(sqlite3.connect(db_path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db_path


def corrupt_a_leaf_page(db_path: Path, table: str) -> int:
    """Overwrite the b-tree header of one leaf page in the middle of `table`; return its number."""
    with closing(sqlite3.connect(db_path)) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        leaves = [
            row[0]
            for row in connection.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno", (table,)
            )
        ]
    page = leaves[len(leaves) // 2]
    with db_path.open("r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(b"\xff" * 12)  # no valid page type: SQLite reports SQLITE_CORRUPT on reading it
    return page


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_a_corrupt_page_is_found_on_open_and_the_library_is_read_only(tmp_path: Path) -> None:
    db_path = await make_library(tmp_path / "lib")
    corrupt_a_leaf_page(db_path, "component_file_properties")
    async with await World.open(db_path.parent) as world:
        # The check runs in the background after the open; a write made at once waits for its
        # verdict instead of going into the damaged file.
        async with world.session() as session:
            with pytest.raises(LibraryDamagedError, match=r"dam-desktop --library .* repair"):
                await ecs_service.create_entity(session)
                await session.commit()
        check = await world.wait_open_check()
        assert check is not None and check.problems
        assert world.damage.damaged
    with closing(sqlite3.connect(db_path)) as connection:
        assert connection.execute("SELECT max(id) FROM entities").fetchone()[0] == ASSETS


async def test_the_open_time_check_waits_for_the_first_paint_then_stops_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A window switching libraries paints its grid before the check takes the CPU; the check
    still runs before anything is written, and finds the damage."""
    monkeypatch.setattr("dam_desktop.core.world.OPEN_CHECK_GATE_S", 600.0)  # only the paint opens it
    db_path = await make_library(tmp_path / "lib")
    corrupt_a_leaf_page(db_path, "component_file_properties")
    painted = threading.Event()
    async with await World.open(db_path.parent, check_gate=painted) as world:
        assert world.open_check is None and not world.damage.damaged  # not yet: no paint
        painted.set()
        async with world.session() as session:
            with pytest.raises(LibraryDamagedError, match=r"dam-desktop --library .* repair"):
                await ecs_service.create_entity(session)
                await session.commit()
        check = await world.wait_open_check()
        assert check is not None and check.problems and world.damage.damaged


async def test_a_library_closed_before_its_first_paint_skips_the_waiting_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dam_desktop.core.world.OPEN_CHECK_GATE_S", 600.0)
    db_path = await make_library(tmp_path / "lib")
    world = await World.open(db_path.parent, check_gate=threading.Event())
    await world.close()  # does not wait for a paint that will never come
    assert world.open_check is None and not world.damage.damaged
    async with await World.open(db_path.parent) as again:  # the lock was released
        check = await again.wait_open_check()
        assert check is not None and not check.problems


async def test_corruption_found_while_open_makes_the_library_read_only(tmp_path: Path) -> None:
    db_path = await make_library(tmp_path / "lib")
    async with await World.open(db_path.parent) as world:
        assert not world.damage.damaged
        told: list[str] = []
        world.damage.add_listener(told.append)
        corrupt_a_leaf_page(db_path, "component_file_properties")
        async with world.session() as session:
            with pytest.raises(LibraryDamagedError, match="is damaged"):
                await ecs_service.get_components_for_entities(
                    session, list(range(1, ASSETS + 1)), FilePropertiesComponent
                )
        assert world.damage.damaged and len(told) == 1
        before = digest(db_path)
        async with world.session() as session:
            with pytest.raises(LibraryDamagedError):
                await ecs_service.create_entity(session)
                await session.commit()
        assert digest(db_path) == before


async def test_the_cli_says_the_library_is_damaged_in_one_line_and_does_not_write(tmp_path: Path) -> None:
    db_path = await make_library(tmp_path / "lib")
    corrupt_a_leaf_page(db_path, "component_file_properties")
    before = digest(db_path)
    listed = cli(db_path.parent, "list")
    tagged = cli(db_path.parent, "tag", "add", "sunset", "--ids", "1,2")
    for result in (listed, tagged):
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        assert "is damaged" in result.stderr and "repair" in result.stderr
    assert len(tagged.stderr.strip().splitlines()) <= 2  # the warning on open, then the refusal
    assert digest(db_path) == before


@pytest.mark.slow
async def test_repair_keeps_every_readable_row_and_reports_what_was_lost(tmp_path: Path) -> None:
    db_path = await make_library(tmp_path / "lib")
    corrupt_a_leaf_page(db_path, "component_file_properties")
    repaired = cli(db_path.parent, "repair")
    assert "Traceback" not in repaired.stderr, repaired.stderr
    assert repaired.returncode == 1  # rows were lost
    lines = repaired.stdout.splitlines()
    table_line = next(line for line in lines if line.startswith("component_file_properties\t"))
    kept, lost = int(table_line.split("\t")[1]), int(table_line.split("\t")[2].removeprefix("lost "))
    assert 0 < lost < 200 and kept + lost == ASSETS
    assert next(line for line in lines if line.startswith("entities\t")) == f"entities\t{ASSETS}\tlost 0"
    damaged = list(db_path.parent.glob("dam.sqlite3.damaged-*"))
    assert len(damaged) == 1 and damaged[0].stat().st_size > 0
    async with await World.open(db_path.parent) as world:
        assert not world.damage.damaged
        async with world.session() as session:
            props = await ecs_service.get_components_for_entities(
                session, list(range(1, ASSETS + 1)), FilePropertiesComponent
            )
            assert sum(len(found) for found in props.values()) == kept
            await ecs_service.create_entity(session)  # writable again
            await session.commit()
    with closing(sqlite3.connect(db_path)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty (0 bytes)"),
        (b"just some notes, not a database\n" * 100, "is not an SQLite database"),
    ],
)
async def test_an_empty_or_foreign_database_file_is_refused_and_left_alone(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    (root / "dam.sqlite3").write_bytes(content)
    with pytest.raises(LibraryError, match=re.escape(expected)):
        await World.open(root)
    result = cli(root, "info")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert (root / "dam.sqlite3").read_bytes() == content


async def test_another_programs_sqlite_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    with closing(sqlite3.connect(root / "dam.sqlite3")) as connection, connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
        connection.execute("INSERT INTO recipes VALUES ('bread')")
    before = digest(root / "dam.sqlite3")
    with pytest.raises(LibraryError, match="database of another program"):
        await World.open(root)
    assert digest(root / "dam.sqlite3") == before


async def test_repair_counts_tag_uses_from_the_links_that_survived(tmp_path: Path) -> None:
    db_path = await make_library(tmp_path / "lib")
    tag = ASSETS + 1
    with closing(sqlite3.connect(db_path)) as connection, connection:
        connection.execute("INSERT INTO entities (id) VALUES (?)", (tag,))
        connection.execute(
            "INSERT INTO component_tag_concept (entity_id, tag_name) VALUES (?, 'sunset')", (tag,)
        )
        connection.executemany(
            "INSERT INTO component_entity_tag_link (entity_id, tag_concept_entity_id) VALUES (?, ?)",
            ((i, tag) for i in range(1, ASSETS + 1)),
        )
    with closing(sqlite3.connect(db_path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    corrupt_a_leaf_page(db_path, "component_entity_tag_link")
    repaired = cli(db_path.parent, "repair")
    assert repaired.returncode == 1 and "Traceback" not in repaired.stderr
    with closing(sqlite3.connect(db_path)) as connection:
        links = connection.execute("SELECT count(*) FROM component_entity_tag_link").fetchone()[0]
        uses = connection.execute("SELECT use_count FROM component_tag_concept").fetchone()[0]
    assert 0 < links < ASSETS and uses == links


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux gives a thread a priority of its own")
def test_the_open_time_check_gives_way_to_the_window() -> None:
    """The check runs beside the first paint at a lower priority; the thread that asked for it
    (and the rest of the process) keeps its own."""
    seen: list[int] = []

    def check_thread() -> None:
        lower_this_threads_priority()
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    thread = threading.Thread(target=check_thread)
    thread.start()
    thread.join()
    assert seen == [max(before, BACKGROUND_NICENESS)]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
