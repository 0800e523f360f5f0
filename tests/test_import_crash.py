"""An import killed with SIGKILL leaves a consistent library, and running it again finishes the job."""

from __future__ import annotations

import asyncio
import hashlib
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from dam_desktop.services.ingest.import_service import ImportReport, import_paths
from dam_desktop.world_setup import open_world
from tests.import_media_factory import make_tiny_png

pytestmark = pytest.mark.sqlite_only(
    "a SIGKILLed import's recovery in a library folder's SQLite file and lock"
)

REPO = Path(__file__).resolve().parents[1]
FILES = 2000
KILL_AFTER_ASSETS = 200


def _query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _asset_count(db: Path) -> int:
    try:
        return int(_query(db, "SELECT count(*) FROM component_content_hash_sha256")[0][0])
    except sqlite3.OperationalError:  # not created yet, or the schema is still being made
        return 0


def _import_command(library: Path, src: Path) -> list[str]:
    return [sys.executable, "-m", "dam_desktop.cli.main", "--library", str(library), "import", str(src)]


def _assert_consistent(library: Path) -> set[bytes]:
    """The checks a user's tools would make; returns the hashes of the stored assets."""
    db = library / "dam.sqlite3"
    assert _query(db, "PRAGMA integrity_check") == [("ok",)]
    for stored in (library / "files").rglob("*"):
        if stored.is_file():
            assert hashlib.sha256(stored.read_bytes()).hexdigest() == stored.name
    rows = _query(
        db,
        "SELECT h.hash_value, l.path FROM component_content_hash_sha256 h "
        "JOIN component_file_location l ON l.entity_id = h.entity_id",
    )
    hashes = {bytes(sha) for sha, _ in rows}
    for sha, path in rows:
        assert isinstance(sha, bytes) and isinstance(path, str)
        stored = library / path
        assert stored.is_file(), f"row points at missing {path}"
        assert hashlib.sha256(stored.read_bytes()).digest() == sha
        assert (library / "thumbnails" / sha.hex()[:2] / sha.hex()[2:4] / f"{sha.hex()}.webp").is_file()
    # A thumbnail is whole or absent, whichever moment the kill came: never half written.
    for thumbnail in (library / "thumbnails").rglob("*.webp"):
        with Image.open(thumbnail) as image:
            image.load()
    without_location = _query(
        db,
        "SELECT count(*) FROM component_content_hash_sha256 h WHERE NOT EXISTS "
        "(SELECT 1 FROM component_file_location l WHERE l.entity_id = h.entity_id)",
    )
    assert without_location == [(0,)]
    return hashes


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_killed_import_leaves_a_consistent_library_and_the_rerun_finishes(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for index in range(FILES):
        make_tiny_png(src / f"f{index:04}.png", index)
    library = tmp_path / "library"
    db = library / "dam.sqlite3"

    child = subprocess.Popen(
        _import_command(library, src), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while child.poll() is None and _asset_count(db) < KILL_AFTER_ASSETS:
            time.sleep(0.005)  # polling a condition, not waiting for time to pass
        still_running = child.poll() is None
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=60)
    assert still_running, "the import finished before it could be killed"
    assert child.returncode == -signal.SIGKILL

    stored_before = _assert_consistent(library)
    assert KILL_AFTER_ASSETS <= len(stored_before) < FILES

    async def reopen_and_rerun() -> tuple[list[Path], ImportReport]:
        world = await open_world(library)
        try:
            leftovers = list(world.paths.tmp_dir.iterdir())
            return leftovers, await import_paths(world, [src])
        finally:
            await world.close()

    leftovers, rerun = asyncio.run(reopen_and_rerun())
    assert leftovers == []
    assert rerun.failed == [] and not rerun.cancelled
    assert len(rerun.imported) == FILES - len(stored_before)
    assert rerun.duplicates == len(stored_before)

    stored_after = _assert_consistent(library)
    expected = {hashlib.sha256(path.read_bytes()).digest() for path in src.iterdir()}
    assert stored_after == expected
    assert _query(db, "SELECT count(*) FROM component_file_properties") == [(FILES,)]
    assert _query(db, "SELECT count(*) FROM component_file_location") == [(FILES,)]
    assert list((library / "tmp").iterdir()) == []
