"""A full disk during an import: it stops with one line, the database stays consistent, and no
stored copy is left that no row references (removed at once, or at the next open).

On a real 3 MB tmpfs where this machine lets the test mount one; by fault injection (an fsync or a
database write raising ENOSPC / SQLITE_FULL) everywhere.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from dam_desktop.core.library import STORAGE_MANAGED
from dam_desktop.models.files import FileLocationComponent, FilePropertiesComponent
from dam_desktop.services.ingest import import_service
from dam_desktop.services.store import publish_journal
from dam_desktop.world_setup import open_world
from tests.import_media_factory import make_png

pytestmark = pytest.mark.sqlite_only("a full disk under a library folder's SQLite file")


def _sources(folder: Path, count: int, size: int = 180) -> list[Path]:
    """Noise PNGs (about 100 KB each at 180 px): they do not compress, so they fill a disk."""
    return [make_png(folder / f"noise-{n:03d}.png", (size, size), seed=n) for n in range(count)]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)], capture_output=True, check=False
    )
    if made.returncode != 0:
        pytest.skip("this machine does not let the test mount a tmpfs (the fault-injection tests still run)")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


async def _assert_library_whole(library: Path) -> int:
    """Reopen the library: every stored copy is referenced and hashes right; returns the asset count."""
    world = await open_world(library)
    try:
        async with world.session() as session:
            managed = (
                await session.scalars(
                    select(FileLocationComponent.path).where(
                        FileLocationComponent.storage_type == STORAGE_MANAGED
                    )
                )
            ).all()
            assets = len((await session.scalars(select(FilePropertiesComponent.entity_id))).all())
    finally:
        await world.close()
    on_disk = {str(p.relative_to(library)) for p in (library / "files").rglob("*") if p.is_file()}
    assert on_disk == set(managed), "a stored copy that no row references, or a row without its copy"
    for relative in managed:
        data = (library / relative).read_bytes()
        assert hashlib.sha256(data).hexdigest() == Path(relative).name
    assert list((library / "tmp").iterdir()) == []
    assert not (library / publish_journal.JOURNAL_NAME).exists()
    with sqlite3.connect(library / "dam.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return assets


async def test_an_import_onto_a_disk_that_fills_stops_cleanly(
    small_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = small_disk / "library"
    sources = _sources(tmp_path / "src", 40)
    # Blind the free-space check so the disk really runs out mid-import, at whatever layer.
    monkeypatch.setattr(import_service, "free_bytes", lambda where: None)
    # Some batches fit, then the disk fills (while a batch commits, the workers stage the next one).
    monkeypatch.setattr(import_service, "BATCH_SIZE", 4)
    world = await open_world(library)
    try:
        report = await import_paths_quietly(world, tmp_path / "src")
    finally:
        await world.close()
    assert report.stopped is not None and "\n" not in report.stopped
    assert "full" in report.stopped
    assert 0 < len(report.imported) < len(sources)
    assert await _assert_library_whole(library) == len(report.imported)


async def test_the_free_space_check_stops_before_a_batch_that_cannot_fit(
    small_disk: Path, tmp_path: Path
) -> None:
    library = small_disk / "library"
    _sources(tmp_path / "src", 40)
    world = await open_world(library)
    try:
        report = await import_paths_quietly(world, tmp_path / "src")
    finally:
        await world.close()
    assert report.stopped is not None and report.stopped.startswith("not enough free space for the next")
    assert "MB free, about" in report.stopped
    assert await _assert_library_whole(library) == len(report.imported)


async def import_paths_quietly(world: Any, folder: Path) -> import_service.ImportReport:
    return await import_service.import_paths(world, [folder])


async def test_enospc_on_fsync_stops_the_import_and_leaves_no_stored_copy(
    world: Any, library_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sources(tmp_path / "first", 3, size=40)
    assert len((await import_service.import_paths(world, [tmp_path / "first"])).imported) == 3
    _sources(tmp_path / "second", 5, size=41)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    report = await import_service.import_paths(world, [tmp_path / "second"])
    monkeypatch.undo()
    assert report.stopped is not None and report.stopped.startswith("the disk holding the library is full")
    assert report.imported == [] and len(report.failed) == 5
    await world.close()
    assert await _assert_library_whole(library_path) == 3


async def test_a_database_write_that_finds_the_disk_full_takes_its_copies_back(
    world: Any, library_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sources(tmp_path / "src", 10, size=40)
    monkeypatch.setattr(import_service, "BATCH_SIZE", 4)
    real_write = import_service.write_batch
    calls = 0

    async def fills_on_second_batch(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))
        return await real_write(*args, **kwargs)

    monkeypatch.setattr(import_service, "write_batch", fills_on_second_batch)
    report = await import_service.import_paths(world, [tmp_path / "src"], workers=1)
    assert report.stopped is not None and "database is full" in report.stopped
    assert len(report.imported) == 4
    # The failed batch's four, and any file a worker had already read when the import stopped.
    not_imported = sum("not imported" in f.reason for f in report.failed)
    assert 4 <= not_imported <= 6
    await world.close()
    assert await _assert_library_whole(library_path) == 4


async def test_copies_left_by_a_killed_import_go_at_the_next_open(library_path: Path, tmp_path: Path) -> None:
    world = await open_world(library_path)
    source = _sources(tmp_path / "src", 1, size=40)[0]
    await import_service.import_paths(world, [source])
    await world.close()
    kept = hashlib.sha256(source.read_bytes()).hexdigest()
    orphan_data = b"renamed into the store, never committed"
    orphan = hashlib.sha256(orphan_data).hexdigest()
    stray = library_path / "files" / orphan[:2] / orphan[2:4] / orphan
    stray.parent.mkdir(parents=True)
    stray.write_bytes(orphan_data)
    # What a process killed between the rename and the commit leaves behind.
    (library_path / publish_journal.JOURNAL_NAME).write_text(f'["{kept}", "{orphan}", "../../x"]')
    assert await _assert_library_whole(library_path) == 1
    assert not stray.exists()
