"""The check for moved or missing files, and relinking moved ones, on real files in a real library."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dam_desktop.core.world import World
from dam_desktop.models.files import FileLocationComponent, MissingFileComponent
from dam_desktop.services.ingest.import_service import ImportReport, import_paths
from dam_desktop.services.locations import location_check
from dam_desktop.services.locations.location_check import (
    CancelToken,
    CheckProgress,
    check_locations,
    missing_marks,
)
from dam_desktop.services.locations.location_relink import relink_from_folder
from dam_desktop.services.search import search_service
from dam_desktop.services.store import trash_service
from dam_desktop.services.store.stored_paths import location_file
from tests.import_media_factory import make_png

NAMES = ["alpha.png", "beta.png", "gamma.png", "delta.png"]


async def _import(world: World, files: list[Path], mode: str) -> dict[str, int]:
    """{file name: entity id} of `files` imported in `mode`."""
    report: ImportReport = await import_paths(world, files, mode=mode)  # type: ignore[arg-type]
    assert not report.failed and len(report.imported) == len(files)
    async with world.session() as session:
        rows = await session.execute(
            select(
                FileLocationComponent.entity_id, FileLocationComponent.path, FileLocationComponent.source_path
            )
        )
        by_name: dict[str, int] = {}
        for eid, path, source in rows:
            by_name[Path(source or path).name] = eid
    return {f.name: by_name[f.name] for f in files}


async def _referenced(world: World, folder: Path) -> tuple[list[Path], dict[str, int]]:
    files = [
        make_png(folder / "shoot" / Path(name).stem / name, seed=n, size=(48, 40))
        for n, name in enumerate(NAMES)
    ]
    return files, await _import(world, files, "reference")


async def _marks(world: World) -> dict[int, tuple[str, str]]:
    async with world.session() as session:
        return await missing_marks(session)


async def _query(world: World, text: str) -> list[int]:
    async with world.session() as session:
        return sorted(await search_service.search(session, text, limit=None))


async def _location_files(world: World, entity_id: int) -> list[Path]:
    async with world.session() as session:
        rows = await session.execute(
            select(FileLocationComponent.storage_type, FileLocationComponent.path).where(
                FileLocationComponent.entity_id == entity_id
            )
        )
        return [location_file(world.paths, kind, path) for kind, path in rows]


async def test_deleted_moved_and_truncated_files_are_found_with_their_reasons(
    world: Any, tmp_path: Path
) -> None:
    files, ids = await _referenced(world, tmp_path)
    copied = make_png(tmp_path / "originals" / "copied.png", seed=9)
    ids |= await _import(world, [copied], "copy")
    report = await check_locations(world)
    assert report.all_present and report.assets_checked == 5 and report.locations_checked == 5

    files[0].unlink()  # alpha: deleted from its folder
    files[1].parent.rename(tmp_path / "renamed-folder")  # beta: its folder moved away
    files[2].write_bytes(files[2].read_bytes()[:100])  # gamma: truncated
    stored = (await _location_files(world, ids["copied.png"]))[0]
    stored.unlink()  # the managed copy: deleted from the library folder

    report = await check_locations(world)
    by_id = {p.entity_id: p for p in report.problems}
    assert set(by_id) == set(ids.values()) - {ids["delta.png"]}
    alpha, beta, gamma = (by_id[ids[name]] for name in NAMES[:3])
    assert (alpha.problem, alpha.reason) == (
        "missing",
        "not in its folder any more: deleted, renamed or moved",
    )
    assert alpha.path == str(files[0]) and alpha.relinkable
    assert beta.problem == "missing" and beta.reason.startswith("its folder is gone too")
    assert gamma.problem == "changed" and "100 bytes now" in gamma.reason and not gamma.relinkable
    managed = by_id[ids["copied.png"]]
    assert managed.problem == "missing" and managed.storage_type == "managed" and not managed.relinkable
    assert f"the original is still at {copied}: import it again" in managed.reason
    assert report.count("missing") == 3 and report.count("changed") == 1 and not report.all_present

    marks = await _marks(world)
    assert set(marks) == set(by_id)
    assert marks[ids["gamma.png"]] == ("changed", gamma.reason)
    assert await _query(world, "has:changed-file") == [ids["gamma.png"]]
    assert await _query(world, "has:missing-file") == sorted(set(by_id) - {ids["gamma.png"]})
    assert await _query(world, "-has:missing-file -has:changed-file") == [ids["delta.png"]]


async def test_a_file_put_back_loses_its_mark_at_the_next_check(world: Any, tmp_path: Path) -> None:
    files, ids = await _referenced(world, tmp_path)
    kept = files[1].read_bytes()
    files[1].unlink()
    await check_locations(world)
    assert set(await _marks(world)) == {ids["beta.png"]}
    files[1].write_bytes(kept)
    report = await check_locations(world)
    assert report.all_present and await _marks(world) == {}
    assert await _query(world, "has:missing-file") == []


async def test_a_stale_second_location_is_reported_but_the_asset_is_not_marked(
    world: Any, tmp_path: Path
) -> None:
    first = make_png(tmp_path / "a" / "same.png", seed=3)
    second = tmp_path / "b" / "same.png"
    second.parent.mkdir()
    shutil.copy(first, second)
    await import_paths(world, [first, second], mode="reference")
    second.unlink()
    report = await check_locations(world)
    (problem,) = report.problems
    assert problem.path == str(second) and problem.other_copy_present
    assert report.missing_assets == [] and await _marks(world) == {}


async def test_trashed_assets_are_not_checked(world: Any, tmp_path: Path) -> None:
    _files, ids = await _referenced(world, tmp_path)
    copied = make_png(tmp_path / "originals" / "copied.png", seed=9)
    ids |= await _import(world, [copied], "copy")
    async with world.session() as session:
        await trash_service.move_to_trash(session, world.paths, [ids["copied.png"]])
    report = await check_locations(world)
    assert report.all_present and report.assets_checked == 4


async def test_relinking_finds_moved_files_by_content_and_never_links_a_same_size_decoy(
    world: Any, tmp_path: Path
) -> None:
    files, ids = await _referenced(world, tmp_path)
    copied = make_png(tmp_path / "originals" / "copied.png", seed=9)
    ids |= await _import(world, [copied], "copy")
    (await _location_files(world, ids["copied.png"]))[0].unlink()

    moved = tmp_path / "moved"
    (moved / "deeper" / "still").mkdir(parents=True)
    shutil.move(files[0], moved / "deeper" / "still" / "alpha.png")
    shutil.move(files[1], moved / "renamed-beta.png")  # moved and renamed
    # gamma is gone for good; in its place a file with its name and size but other bytes.
    real = files[2].read_bytes()
    files[2].unlink()
    decoy = moved / "gamma.png"
    decoy.write_bytes(real[:-1] + bytes([real[-1] ^ 0xFF]))
    assert decoy.stat().st_size == len(real)

    report = await check_locations(world)
    assert len(report.problems) == 4
    relink = await relink_from_folder(world, moved, report.problems)

    assert {r.entity_id for r in relink.relinked} == {ids["alpha.png"], ids["beta.png"]}
    assert [p.entity_id for p in relink.not_found] == [ids["gamma.png"]]
    assert [p.entity_id for p in relink.not_relinkable] == [ids["copied.png"]]
    assert not relink.cancelled and relink.files_seen == 3
    assert await _location_files(world, ids["alpha.png"]) == [moved / "deeper" / "still" / "alpha.png"]
    assert await _location_files(world, ids["beta.png"]) == [moved / "renamed-beta.png"]
    assert await _location_files(world, ids["gamma.png"]) == [files[2]], "the decoy is not linked"
    assert set(await _marks(world)) == {ids["gamma.png"], ids["copied.png"]}

    after = await check_locations(world)
    assert {p.entity_id for p in after.problems} == {ids["gamma.png"], ids["copied.png"]}


async def test_relinking_keeps_a_name_that_is_not_utf8(world: Any, tmp_path: Path) -> None:
    if os.name == "nt":
        pytest.skip("Windows file names are always Unicode")
    files, ids = await _referenced(world, tmp_path)
    moved = tmp_path / "moved"
    moved.mkdir()
    odd = os.fsdecode(os.fsencode(str(moved)) + b"/caf\xe9.png")
    shutil.move(files[0], odd)
    report = await check_locations(world)
    relink = await relink_from_folder(world, moved, report.problems)
    assert [r.entity_id for r in relink.relinked] == [ids["alpha.png"]]
    async with world.session() as session:
        stored = await session.scalar(
            select(FileLocationComponent.path).where(FileLocationComponent.entity_id == ids["alpha.png"])
        )
    assert stored is not None and stored.startswith("bytes:")
    assert (await check_locations(world)).all_present


async def test_importing_the_original_again_restores_a_lost_managed_copy(world: Any, tmp_path: Path) -> None:
    copied = make_png(tmp_path / "originals" / "copied.png", seed=9)
    ids = await _import(world, [copied], "copy")
    stored = (await _location_files(world, ids["copied.png"]))[0]
    stored.unlink()
    await check_locations(world)
    assert set(await _marks(world)) == {ids["copied.png"]}

    again = await import_paths(world, [copied], mode="copy")
    assert again.duplicates == 1 and not again.imported
    assert stored.read_bytes() == copied.read_bytes()
    assert await _marks(world) == {}, "the import cleared the mark"
    assert (await check_locations(world)).all_present


async def test_cancelling_the_check_keeps_finished_batches_and_the_previous_marks(
    world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(location_check, "PROGRESS_INTERVAL_S", 0.0)
    folder = tmp_path / "many"
    files = [make_png(folder / f"f{n:02d}.png", seed=n, size=(8, 8)) for n in range(20)]
    report = await import_paths(world, files, mode="reference")
    ordered = sorted(report.imported)
    for file in files:
        file.unlink()
    full = await check_locations(world, batch_size=5)
    assert len(full.missing_assets) == 20
    for file in files:
        make_png(file, seed=int(file.stem[1:]), size=(8, 8))  # all back

    cancel = CancelToken()
    seen: list[CheckProgress] = []

    def progress(update: CheckProgress) -> None:
        seen.append(update)
        if update.done >= 5:
            cancel.cancel()

    partial = await check_locations(world, batch_size=5, on_progress=progress, cancel=cancel)
    assert partial.cancelled and partial.assets_checked == 5 and partial.total_assets == 20
    assert seen[0].done == 0 and seen[-1].done == 5
    # The batch that was checked lost its marks; the others keep what the last full check found.
    assert set(await _marks(world)) == set(ordered[5:])
    assert (await check_locations(world)).all_present and await _marks(world) == {}


async def test_cancelling_a_relink_links_nothing_unverified(world: Any, tmp_path: Path) -> None:
    files, _ids = await _referenced(world, tmp_path)
    moved = tmp_path / "moved"
    moved.mkdir()
    for file in files:
        shutil.move(file, moved / file.name)
    report = await check_locations(world)
    cancel = CancelToken()
    cancel.cancel()
    relink = await relink_from_folder(world, moved, report.problems, cancel=cancel)
    assert relink.cancelled and relink.relinked == []
    assert len(relink.not_found) == 4
    async with world.session() as session:
        assert len((await session.scalars(select(MissingFileComponent))).all()) == 4
