"""`backup` writes a consistent copy while the library is being written to; `restore --backup`
brings it back without overwriting what is open and keeps what it replaces."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from dam_desktop.core import World
from dam_desktop.core.errors import LibraryLockedError
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.library_backup import restore_library
from tests.import_media_factory import make_tiny_png

pytestmark = pytest.mark.sqlite_only(
    "backup and restore of a library folder (a shared library's backup is pg_dump, see the README)"
)

REPO_ROOT = Path(__file__).resolve().parent.parent
FILES = 600
COMPONENTS = ("component_file_properties", "component_content_hash_sha256", "component_file_location")


def dam(library: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "dam_desktop", "--library", str(library), *args]


ENV = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}


def entity_count(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as connection:
            return int(connection.execute("SELECT count(*) FROM entities").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created yet


def wait_until(condition: object, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def assert_whole(backup: Path) -> int:
    """The backup database passes SQLite's integrity check and every entity has its components and
    its stored file; returns how many entities it holds."""
    with closing(sqlite3.connect(backup / "dam.sqlite3")) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        entities = {row[0] for row in connection.execute("SELECT id FROM entities")}
        for table in COMPONENTS:
            assert {row[0] for row in connection.execute(f"SELECT entity_id FROM {table}")} == entities
        stored = [row[0] for row in connection.execute("SELECT path FROM component_file_location")]
    assert all((backup / relative).is_file() for relative in stored)
    return len(entities)


@pytest.mark.slow
def test_a_backup_taken_during_an_import_is_consistent_and_restores(tmp_path: Path) -> None:
    source = tmp_path / "pictures"
    source.mkdir()
    for index in range(FILES):
        make_tiny_png(source / f"p{index:04d}.png", index)
    library = tmp_path / "library"
    importing = subprocess.Popen(
        dam(library, "import", str(source)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV
    )
    try:
        wait_until(lambda: entity_count(library / "dam.sqlite3") > 0)
        backup = subprocess.run(
            dam(library, "backup", str(tmp_path / "backup"), "--with-store"),
            capture_output=True,
            text=True,
            timeout=120,
            env=ENV,
            check=False,
        )
        still_importing = importing.poll() is None
    finally:
        _out, err = importing.communicate(timeout=300)
    assert importing.returncode == 0, err
    assert backup.returncode == 0, backup.stderr
    assert "backed up the database" in backup.stdout
    backed_up = assert_whole(tmp_path / "backup")
    assert backed_up > 0
    assert still_importing or backed_up == FILES

    restored = tmp_path / "restored"
    result = subprocess.run(
        dam(restored, "restore", "--backup", str(tmp_path / "backup")),
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert assert_whole(restored) == backed_up


async def test_restore_refuses_an_open_library_and_keeps_the_database_it_replaces(tmp_path: Path) -> None:
    backup_lib, library = tmp_path / "old", tmp_path / "library"
    async with await World.open(backup_lib):
        pass
    async with await World.open(library) as world:
        async with world.session() as session:
            from dam_desktop.services import ecs_service

            await ecs_service.create_entity(session)
            await session.commit()
        with pytest.raises(LibraryLockedError):
            restore_library(backup_lib, LibraryPaths(library))
    assert entity_count(library / "dam.sqlite3") == 1
    report = restore_library(backup_lib, LibraryPaths(library))
    assert entity_count(library / "dam.sqlite3") == 0
    assert report.replaced is not None and entity_count(report.replaced) == 1
    async with await World.open(library) as reopened:
        assert not reopened.damage.damaged
