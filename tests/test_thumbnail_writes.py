"""An import's thumbnails appear whole or not at all, with no temp file, and one whose write fails
halfway is made again."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.world import World
from dam_desktop.models.core.pipeline_markers import NeedsThumbnailMarker
from dam_desktop.services.ingest.import_service import import_paths, thumbnail_paths_for
from dam_desktop.services.store import storage
from tests.import_media_factory import make_jpeg


def _webps(paths: LibraryPaths) -> list[Path]:
    return sorted(paths.thumbnails_dir.rglob("*.webp"))


def _whole(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        image.load()  # a truncated WebP raises here
        return image.size


@pytest.fixture(params=["unnamed", "temp file"])
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Both ways a new thumbnail is written: linked in unnamed (Linux), or a temp file renamed."""
    if request.param == "unnamed" and not storage._UNNAMED_FILES:
        pytest.skip("this system has no unnamed files (O_TMPFILE)")
    monkeypatch.setattr(storage, "_UNNAMED_FILES", request.param == "unnamed")
    yield request.param


async def test_an_import_writes_whole_thumbnails_and_leaves_no_temp_file(
    world: World, tmp_path: Path, way: str
) -> None:
    for n in range(6):
        make_jpeg(tmp_path / "src" / f"p{n}.jpg", (400, 300), seed=n)
    report = await import_paths(world, [tmp_path / "src"])
    assert report.failed == [] and len(report.imported) == 6 and report.thumbnails_pending == []
    assert [_whole(p) for p in _webps(world.paths)] == [(256, 192)] * 6
    assert list(world.paths.tmp_dir.iterdir()) == []


def test_a_new_file_keeps_the_one_already_there(tmp_path: Path, way: str) -> None:
    paths = LibraryPaths(tmp_path / "library")
    paths.tmp_dir.mkdir(parents=True)
    final = paths.thumbnail_path("ab" * 32)
    storage.write_new(paths, final, b"first")
    storage.write_new(paths, final, b"second")
    assert final.read_bytes() == b"first"
    assert list(paths.tmp_dir.iterdir()) == []


async def test_a_thumbnail_write_that_fails_halfway_shows_nothing_and_is_made_again(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not storage._UNNAMED_FILES:
        pytest.skip("this system has no unnamed files (O_TMPFILE)")
    make_jpeg(tmp_path / "photo.jpg", (640, 480), seed=7)
    seen_while_half_written: list[list[Path]] = []

    def half_then_fails(fd: int, data: bytes) -> None:
        os.write(fd, data[: len(data) // 2])
        seen_while_half_written.append(_webps(world.paths))
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(storage, "_write_all", half_then_fails)
    report = await import_paths(world, [tmp_path / "photo.jpg"])

    (entity_id,) = report.imported
    assert seen_while_half_written == [[]]  # nothing under a thumbnail's name while half written
    # The asset was marked, and the thumbnail stage the import ran at its end made it whole.
    assert report.thumbnails_pending == [entity_id]
    async with world.session() as session:
        thumbnail = (await thumbnail_paths_for(session, world.paths, [entity_id]))[entity_id]
        assert (await session.scalars(select(NeedsThumbnailMarker))).all() == []
    assert _webps(world.paths) == [thumbnail] and _whole(thumbnail) == (256, 192)
    assert list(world.paths.tmp_dir.iterdir()) == []
