"""Paths stay inside: every writer and deleter, attacked with tampered rows and hostile names.

Each attack puts a file the library must never touch outside it ("the victim") and asserts the
victim is still there, unchanged, nothing new appeared outside, and the user got a reason naming
the file.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from dam_desktop.core.errors import UnsafePathError
from dam_desktop.core.library import LibraryPaths
from dam_desktop.ml.open_clip_loader import OpenClipSpec, import_weights_file
from dam_desktop.models.files import FileLocationComponent, TrashedComponent
from dam_desktop.services.locations.location_check import check_locations
from dam_desktop.services.locations.location_relink import relink_from_folder
from dam_desktop.services.media.thumbnails import save_thumbnail
from dam_desktop.services.store import storage, trash_service
from dam_desktop.services.store.export import export_copies
from tests.ui_helpers import add_images, add_sound, make_image, make_sound


def _listing(folder: Path) -> dict[str, bytes | str]:
    """Everything under `folder`: file contents, and link targets for links."""
    found: dict[str, bytes | str] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in filenames + dirnames:
            path = Path(dirpath) / name
            key = str(path.relative_to(folder))
            if path.is_symlink():
                found[key] = "-> " + str(path.readlink())
            elif path.is_file():
                found[key] = path.read_bytes()
    return found


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the library with the user's file in it."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "victim.txt").write_bytes(b"the user's only copy")
    return folder


async def _set_managed_path(world: Any, entity_id: int, stored: str) -> None:
    async with world.session() as session:
        await session.execute(
            update(FileLocationComponent)
            .where(FileLocationComponent.entity_id == entity_id)
            .values(path=stored)
        )
        await session.commit()


async def _set_moved_files(world: Any, entity_id: int, moved: list[str]) -> None:
    async with world.session() as session:
        await session.execute(
            update(TrashedComponent)
            .where(TrashedComponent.entity_id == entity_id)
            .values(moved_files=json.dumps(moved))
        )
        await session.commit()


def _link_store_folder(paths: LibraryPaths, sha_hex: str, root: str, target: Path) -> Path:
    """Replace `<root>/ab` (the fan-out folder of this hash) by a link to `target`."""
    folder = paths.root / root / sha_hex[:2]
    for entry in sorted(folder.rglob("*"), reverse=True):
        entry.unlink() if not entry.is_dir() else entry.rmdir()
    folder.rmdir()
    folder.symlink_to(target, target_is_directory=True)
    return folder


HOSTILE_STORED = ["../outside/victim.txt", "files/../../outside/victim.txt", "{outside}/victim.txt"]


@pytest.mark.parametrize("stored", HOSTILE_STORED)
async def test_removing_an_asset_whose_row_names_a_path_outside_moves_nothing(
    world: Any, tmp_path: Path, outside: Path, stored: str
) -> None:
    before = _listing(outside)
    image = (await add_images(world, tmp_path / "src", 1))[0]
    await _set_managed_path(world, image.entity_id, stored.format(outside=outside))
    async with world.session() as session:
        result = await trash_service.move_to_trash(session, world.paths, [image.entity_id])
    assert result.entity_ids == [image.entity_id] and result.files_moved == 0
    assert len(result.refused) == 1 and "refused" in result.refused[0]
    assert _listing(outside) == before
    async with world.session() as session:
        emptied = await trash_service.empty_trash(session, world.paths)
    assert emptied.entity_ids == [image.entity_id] and emptied.files_moved == 0
    assert _listing(outside) == before


@pytest.mark.parametrize(
    "moved", [["../../outside/victim.txt"], ["files/../../../outside/victim.txt"], ["{abs}"]]
)
async def test_emptying_a_trash_row_that_names_a_path_outside_deletes_nothing_there(
    world: Any, tmp_path: Path, outside: Path, moved: list[str]
) -> None:
    before = _listing(outside)
    image = (await add_images(world, tmp_path / "src", 1))[0]
    async with world.session() as session:
        await trash_service.move_to_trash(session, world.paths, [image.entity_id])
    await _set_moved_files(world, image.entity_id, [m.format(abs=outside / "victim.txt") for m in moved])
    async with world.session() as session:
        emptied = await trash_service.empty_trash(session, world.paths)
    assert emptied.files_moved == 0 and len(emptied.refused) == 1
    assert "victim.txt" in emptied.refused[0]
    assert _listing(outside) == before


async def test_restoring_a_trash_row_that_names_a_path_outside_writes_nothing_there(
    world: Any, tmp_path: Path, outside: Path
) -> None:
    before = _listing(outside)
    image = (await add_images(world, tmp_path / "src", 1))[0]
    async with world.session() as session:
        await trash_service.move_to_trash(session, world.paths, [image.entity_id])
    relative = str(image.path.relative_to(world.paths.root))
    await _set_moved_files(world, image.entity_id, [relative, "files/../../outside/victim.txt"])
    async with world.session() as session:
        restored = await trash_service.restore_from_trash(session, world.paths, [image.entity_id])
    assert restored.files_moved == 1 and image.path.is_file()
    assert len(restored.refused) == 1 and "climbs out" in restored.refused[0]
    assert _listing(outside) == before


async def test_a_symlinked_store_folder_is_never_moved_through_or_emptied_through(
    world: Any, tmp_path: Path, outside: Path
) -> None:
    image = (await add_images(world, tmp_path / "src", 1))[0]
    # The same relative path under the link's target holds a file of the user's.
    decoy = outside / image.sha256_hex[2:4] / image.sha256_hex
    decoy.parent.mkdir()
    decoy.write_bytes(b"not the library's")
    before = _listing(outside)
    _link_store_folder(world.paths, image.sha256_hex, "files", outside)
    async with world.session() as session:
        result = await trash_service.move_to_trash(session, world.paths, [image.entity_id])
    assert result.files_moved == 0 and "symbolic link" in result.refused[0]
    assert _listing(outside) == before

    # A trash folder linked outside: emptying deletes nothing through it.
    await _set_moved_files(world, image.entity_id, [str(image.path.relative_to(world.paths.root))])
    trash_fan = world.paths.trash_dir / "files" / image.sha256_hex[:2]
    trash_fan.parent.mkdir(parents=True, exist_ok=True)
    trash_fan.symlink_to(outside, target_is_directory=True)
    async with world.session() as session:
        emptied = await trash_service.empty_trash(session, world.paths)
    assert emptied.files_moved == 0 and "symbolic link" in emptied.refused[0]
    assert _listing(outside) == before


def test_export_refuses_names_that_are_paths_and_says_why(tmp_path: Path, outside: Path) -> None:
    source = make_image(tmp_path / "src" / "a.png", (10, 20, 30))
    destination = tmp_path / "export" / "chosen"
    destination.mkdir(parents=True)
    (destination / "sub").symlink_to(outside, target_is_directory=True)
    before = _listing(tmp_path / "export"), _listing(outside)
    hostile = ["../x.png", str(outside / "x.png"), "sub/x.png", "..", "", "a\x00.png"]
    result = export_copies([(source, name) for name in hostile], destination)
    assert result.written == []
    assert [refusal.name for refusal in result.refused] == hostile
    assert all(refusal.reason for refusal in result.refused)
    assert (_listing(tmp_path / "export"), _listing(outside)) == before


def test_export_never_writes_through_a_link_already_in_the_folder(tmp_path: Path, outside: Path) -> None:
    source = make_image(tmp_path / "src" / "x.png", (10, 20, 30))
    destination = tmp_path / "chosen"
    destination.mkdir()
    (destination / "x.png").symlink_to(outside / "created-through-link.png")  # dangling
    (destination / "x (2).png").symlink_to(outside / "victim.txt")  # live
    before = _listing(outside)
    result = export_copies([(source, "x.png")], destination)
    assert result.refused == []
    assert result.written == [destination / "x (3).png"]
    assert (destination / "x (3).png").read_bytes() == source.read_bytes()
    assert _listing(outside) == before


async def test_relink_from_a_relative_folder_stores_absolute_resolved_paths(
    world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sound = await add_sound(world, make_sound(tmp_path / "linked" / "tone.wav"))
    real = tmp_path / "real" / "moved"
    real.mkdir(parents=True)
    sound.path.rename(real / "tone.wav")
    (tmp_path / "via-link").symlink_to(tmp_path / "real", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    report = await check_locations(world)
    relinked = await relink_from_folder(world, "via-link/moved", report.problems)
    assert relinked.relinked_ids == [sound.entity_id]
    async with world.session() as session:
        stored = (
            await session.scalars(
                FileLocationComponent.__table__.select()
                .with_only_columns(FileLocationComponent.path)
                .where(FileLocationComponent.entity_id == sound.entity_id)
            )
        ).one()
    assert stored == os.path.realpath(real / "tone.wav") and Path(stored).is_absolute()
    monkeypatch.chdir(tmp_path / "real")  # seen from anywhere else, the file is still found
    assert (await check_locations(world)).problems == []


def test_thumbnails_and_stored_copies_are_not_written_through_a_linked_folder(
    library_path: Path, outside: Path
) -> None:
    from PIL import Image

    paths = LibraryPaths(library_path)
    sha = "ab" * 32
    for root in ("thumbnails", "files", "tmp"):
        (library_path / root).mkdir(parents=True)
    (library_path / "thumbnails" / "ab").symlink_to(outside, target_is_directory=True)
    (library_path / "files" / "ab").symlink_to(outside, target_is_directory=True)
    before = _listing(outside)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        save_thumbnail(paths, sha, Image.new("RGB", (8, 8)))
    with pytest.raises(UnsafePathError, match="symbolic link"):
        storage.store_bytes(paths, sha, b"bytes")
    staged = storage.stage_bytes(paths, sha, b"bytes")
    assert staged is not None
    published = storage.publish_staged(paths, [(staged, sha)])
    assert "symbolic link" in str(published.errors[staged]) and not staged.exists()
    assert published.placed == []
    assert _listing(outside) == before
    assert list((library_path / "tmp").iterdir()) == []


def test_importing_weights_into_a_model_folder_linked_elsewhere_is_refused(
    tmp_path: Path, outside: Path
) -> None:
    models = tmp_path / "models"
    spec = OpenClipSpec.parse("ViT-B-32/laion2b")
    (models / "open_clip").mkdir(parents=True)
    (outside / "old.safetensors").write_bytes(b"someone else's weights")
    (models / "open_clip" / spec.folder_name).symlink_to(outside, target_is_directory=True)
    source = tmp_path / "new.safetensors"
    source.write_bytes(b"weights")
    before = _listing(outside)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        import_weights_file(spec, source, models)
    assert _listing(outside) == before


@pytest.mark.sqlite_only("reads the stored paths straight from the library's SQLite file")
def test_check_relink_with_a_relative_folder_on_the_command_line_stores_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dam_desktop.cli.main import main

    library = tmp_path / "lib"
    sound = make_sound(tmp_path / "linked" / "tone.wav")
    assert main(["--library", str(library), "import", "--mode", "reference", "--no-process", str(sound)]) == 0
    (tmp_path / "moved").mkdir()
    sound.rename(tmp_path / "moved" / "tone.wav")
    monkeypatch.chdir(tmp_path)
    assert main(["--library", str(library), "check", "--relink", "moved"]) == 0
    assert f"relinked\t{tmp_path / 'moved' / 'tone.wav'}" in capsys.readouterr().out
    with sqlite3.connect(library / "dam.sqlite3") as db:
        [(stored,)] = db.execute("SELECT path FROM component_file_location").fetchall()
    assert stored == os.path.realpath(tmp_path / "moved" / "tone.wav")
    monkeypatch.chdir(library)
    assert main(["--library", str(library), "check"]) == 0
