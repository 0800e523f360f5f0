"""The library trash: removed assets are restorable until the trash is emptied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dam_desktop.services.browse import browse_service
from dam_desktop.services.store import trash_service
from tests.ui_helpers import add_images, add_sound, make_sound


async def test_remove_moves_stored_copies_to_the_trash_and_restore_brings_them_back(
    world: Any, tmp_path: Path
) -> None:
    made = await add_images(world, tmp_path / "src", 3)
    victim = made[1]
    async with world.session() as session:
        result = await trash_service.move_to_trash(session, world.paths, [victim.entity_id])
    assert result.entity_ids == [victim.entity_id] and result.files_moved == 1
    assert not victim.path.exists()
    trashed_copy = world.paths.trash_dir / victim.path.relative_to(world.paths.root)
    assert trashed_copy.is_file()
    async with world.session() as session:
        listed = (await browse_service.asset_ids(session)).tolist()
        in_trash = (await browse_service.asset_ids(session, trashed=True)).tolist()
        counts = await browse_service.library_counts(session)
    assert victim.entity_id not in listed and in_trash == [victim.entity_id]
    assert (counts.assets, counts.trashed) == (2, 1)

    async with world.session() as session:
        restored = await trash_service.restore_from_trash(session, world.paths, [victim.entity_id])
    assert restored.entity_ids == [victim.entity_id]
    assert victim.path.is_file() and not trashed_copy.exists()
    async with world.session() as session:
        assert victim.entity_id in (await browse_service.asset_ids(session)).tolist()


async def test_emptying_the_trash_deletes_only_trashed_copies_never_linked_files(
    world: Any, tmp_path: Path
) -> None:
    image = (await add_images(world, tmp_path / "src", 1))[0]
    sound = await add_sound(world, make_sound(tmp_path / "linked" / "tone.wav"))
    async with world.session() as session:
        await trash_service.move_to_trash(session, world.paths, [image.entity_id, sound.entity_id])
    assert sound.path.is_file(), "a linked file is the user's: removing it from the library leaves it"
    async with world.session() as session:
        emptied = await trash_service.empty_trash(session, world.paths)
    assert sorted(emptied.entity_ids) == sorted([image.entity_id, sound.entity_id])
    assert sound.path.is_file()
    assert not (world.paths.trash_dir / image.path.relative_to(world.paths.root)).exists()
    assert not world.paths.thumbnail_path(image.sha256_hex).exists()
    async with world.session() as session:
        counts = await browse_service.library_counts(session)
    assert (counts.assets, counts.trashed) == (0, 0)


async def test_removing_twice_is_harmless(world: Any, tmp_path: Path) -> None:
    image = (await add_images(world, tmp_path / "src", 1))[0]
    async with world.session() as session:
        await trash_service.move_to_trash(session, world.paths, [image.entity_id])
        again = await trash_service.move_to_trash(session, world.paths, [image.entity_id])
    assert again.entity_ids == []
