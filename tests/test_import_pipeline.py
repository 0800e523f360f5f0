"""The import pipeline's less common paths: big files, concurrent imports, trash, symlink rules, and
files read on while a batch is written."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from dam_desktop.core.world import World
from dam_desktop.models.files import FileLocationComponent, FilePropertiesComponent
from dam_desktop.services.ingest import import_service, import_worker
from dam_desktop.services.ingest.import_service import ImportRules, import_paths, read_asset_summaries
from dam_desktop.services.store.trash_service import move_to_trash
from tests.import_media_factory import make_jpeg, make_png, make_sound, sha256_of


async def _all(world: World, component: type[Any]) -> list[Any]:
    async with world.session() as session:
        return list((await session.scalars(select(component))).all())


@pytest.mark.parametrize("mode", ["copy", "reference"])
async def test_files_too_big_for_memory_are_streamed_with_the_same_result(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setattr(import_worker, "IN_MEMORY_LIMIT", 1024)
    photo = make_jpeg(tmp_path / "src" / "photo.jpg", (300, 200), seed=1)
    sound = make_sound(tmp_path / "src" / "long.flac", seconds=2.0, fmt="FLAC")
    assert photo.stat().st_size > 1024 and sound.stat().st_size > 1024

    report = await import_paths(world, [tmp_path / "src"], mode=mode)  # type: ignore[arg-type]

    assert report.failed == [] and len(report.imported) == 2
    async with world.session() as session:
        summaries = {s.filename: s for s in (await read_asset_summaries(session, report.imported)).values()}
    assert summaries["photo.jpg"].sha256_hex == sha256_of(photo)
    assert (summaries["photo.jpg"].width, summaries["photo.jpg"].height) == (300, 200)
    assert summaries["long.flac"].duration_seconds == pytest.approx(2.0, abs=0.01)
    for summary in summaries.values():
        (location,) = summary.locations
        assert location.file(world.paths).read_bytes() == (tmp_path / "src" / summary.filename).read_bytes()
        assert world.paths.thumbnail_path(summary.sha256_hex or "").is_file()
    assert list(world.paths.tmp_dir.iterdir()) == []


async def test_two_imports_of_the_same_files_at_once_store_each_file_once(
    world: World, tmp_path: Path
) -> None:
    for i in range(80):
        make_png(tmp_path / "src" / f"p{i:02}.png", (8, 8), seed=i)
    first, second = await asyncio.gather(
        import_paths(world, [tmp_path / "src"]), import_paths(world, [tmp_path / "src"])
    )
    assert len(first.imported) + len(second.imported) == 80
    assert first.duplicates + second.duplicates == 80
    assert first.failed == [] and second.failed == []
    assert len(await _all(world, FilePropertiesComponent)) == 80
    assert len(await _all(world, FileLocationComponent)) == 80


async def test_a_file_whose_asset_is_in_the_trash_is_skipped_with_a_hint(
    world: World, tmp_path: Path
) -> None:
    photo = make_jpeg(tmp_path / "photo.jpg", seed=3)
    (entity_id,) = (await import_paths(world, [photo])).imported
    async with world.session() as session:
        await move_to_trash(session, world.paths, [entity_id])

    report = await import_paths(world, [photo])

    assert report.imported == [] and report.failed == []
    (skipped,) = report.skipped
    assert skipped.reason == "already in the library's trash: restore it from there"
    assert len(await _all(world, FilePropertiesComponent)) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
async def test_symbolic_links_can_be_left_alone(world: World, tmp_path: Path) -> None:
    target = make_png(tmp_path / "elsewhere" / "real.png", seed=4)
    src = tmp_path / "src"
    make_png(src / "own.png", seed=5)
    (src / "link.png").symlink_to(target)
    (src / "linked-folder").symlink_to(tmp_path / "elsewhere")

    report = await import_paths(world, [src], rules=ImportRules(follow_symlinks=False))
    assert len(report.imported) == 1 and report.ignored == 2

    report = await import_paths(world, [src])
    assert len(report.imported) == 1 and report.duplicates == 2


async def test_an_animated_gif_imports_its_first_frame_as_the_thumbnail(world: World, tmp_path: Path) -> None:
    frames = [Image.new("RGB", (64, 32), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    frames[0].save(tmp_path / "blink.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    (entity_id,) = (await import_paths(world, [tmp_path / "blink.gif"])).imported
    async with world.session() as session:
        summary = (await read_asset_summaries(session, [entity_id]))[entity_id]
    with Image.open(world.paths.thumbnail_path(summary.sha256_hex or "")) as thumb:
        red, _green, blue = thumb.convert("RGB").getpixel((10, 10))  # type: ignore[misc]
    assert red > 200 and blue < 50


async def test_files_go_on_being_read_while_a_batch_is_written(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(20):
        make_png(tmp_path / "src" / f"pic-{n:02d}.png", (24, 16), seed=n)
    monkeypatch.setattr(import_service, "BATCH_SIZE", 4)
    monkeypatch.setattr(import_service, "BATCH_MAX_WAIT_S", 3600.0)  # batches by count alone
    real_write = import_service.write_batch
    first_write_held = asyncio.Event()
    release = asyncio.Event()
    read_meanwhile = asyncio.Event()
    writes = 0

    async def held_first_write(*args: Any, **kwargs: Any) -> Any:
        nonlocal writes
        writes += 1
        if writes == 1:
            first_write_held.set()
            check()
            await release.wait()
        return await real_write(*args, **kwargs)

    loop = asyncio.get_running_loop()
    real_process = import_service.process_file
    read = 0

    def counted(*args: Any) -> Any:
        result = real_process(*args)
        loop.call_soon_threadsafe(count_one)
        return result

    def count_one() -> None:
        nonlocal read
        read += 1
        check()

    def check() -> None:
        # The held batch's 4, and a whole next batch read while it waits.
        if first_write_held.is_set() and not release.is_set() and read >= 8:
            read_meanwhile.set()

    monkeypatch.setattr(import_service, "write_batch", held_first_write)
    monkeypatch.setattr(import_service, "process_file", counted)
    task = asyncio.ensure_future(import_paths(world, [tmp_path / "src"], workers=1))
    try:
        await asyncio.wait_for(read_meanwhile.wait(), timeout=60)
    finally:
        release.set()
    report = await task

    assert report.failed == [] and len(report.imported) == 20
    async with world.session() as session:
        rows = await session.execute(
            select(FilePropertiesComponent.entity_id, FilePropertiesComponent.original_filename)
        )
        names = [name for _, name in sorted(rows.all())]
    assert names == [f"pic-{n:02d}.png" for n in range(20)]  # ids still follow the walk
