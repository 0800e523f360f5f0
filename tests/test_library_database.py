"""The library database: pragmas, cascading deletes, the single-writer lock, leftovers after a crash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from dam_desktop.core import LibraryError, LibraryLockedError, World
from dam_desktop.models import (
    ContentHashSHA256Component,
    Entity,
    FilePropertiesComponent,
    NeedsThumbnailMarker,
)
from dam_desktop.services import ecs_service

pytestmark = pytest.mark.sqlite_only(
    "the library folder's SQLite database itself: pragmas, its lock, leftovers after a crash"
)


async def test_new_library_folder_is_created_with_its_layout(library_path: Path) -> None:
    async with await World.open(library_path) as world:
        assert world.paths.db_path.is_file()
        for folder in ("files", "thumbnails", "tmp", "trash"):
            assert (library_path / folder).is_dir()


async def test_every_connection_uses_the_library_pragmas(library_path: Path) -> None:
    async with await World.open(library_path) as world, world.session() as session:
        values = {
            name: (await session.execute(text(f"PRAGMA {name}"))).scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    assert values == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10_000, "synchronous": 1}


async def test_deleting_an_entity_deletes_its_components(library_path: Path) -> None:
    async with await World.open(library_path) as world:
        async with world.session() as session:
            entity = await ecs_service.create_entity(session)
            keep = await ecs_service.create_entity(session)
            for eid in (entity.id, keep.id):
                await ecs_service.add_component_to_entity(
                    session,
                    eid,
                    FilePropertiesComponent(
                        original_filename=f"{eid}.png", file_size_bytes=1, mime_type="image/png"
                    ),
                )
            await ecs_service.add_component_to_entity(
                session, entity.id, ContentHashSHA256Component(hash_value=bytes(32))
            )
            await ecs_service.add_marker(session, [entity.id], NeedsThumbnailMarker)
            await session.commit()

        async with world.session() as session:
            assert await ecs_service.delete_entity(session, entity.id)
            await session.commit()

        async with world.session() as session:
            remaining = (await session.scalars(select(FilePropertiesComponent.entity_id))).all()
            hashes = await session.scalar(select(func.count()).select_from(ContentHashSHA256Component))
            markers = await session.scalar(select(func.count()).select_from(NeedsThumbnailMarker))
            assert remaining == [keep.id]
            assert hashes == 0
            assert markers == 0
            assert await session.get(Entity, entity.id) is None


async def test_set_based_component_queries(library_path: Path) -> None:
    async with await World.open(library_path) as world, world.session() as session:
        ids = await ecs_service.create_entities(session, 5)
        for eid in ids[:3]:
            await ecs_service.add_component_to_entity(
                session,
                eid,
                FilePropertiesComponent(original_filename="a", file_size_bytes=eid, mime_type="x/y"),
            )
        await ecs_service.add_component_to_entity(
            session, ids[1], ContentHashSHA256Component(hash_value=b"h" * 32)
        )
        await ecs_service.add_component_to_entity(
            session, ids[4], ContentHashSHA256Component(hash_value=b"k" * 32)
        )

        both = await ecs_service.find_entities_with_components(
            session, [FilePropertiesComponent, ContentHashSHA256Component]
        )
        by_entity = await ecs_service.get_components_for_entities(session, ids, FilePropertiesComponent)
        assert [e.id for e in both] == [ids[1]]
        assert [len(by_entity[eid]) for eid in ids] == [1, 1, 1, 0, 0]
        props = await ecs_service.get_component(session, ids[2], FilePropertiesComponent)
        assert props is not None and props.file_size_bytes == ids[2]
        assert await ecs_service.get_component(session, ids[3], FilePropertiesComponent) is None


async def test_a_second_opener_gets_a_clear_message(library_path: Path) -> None:
    async with await World.open(library_path):
        with pytest.raises(LibraryLockedError, match="already open in another dam-desktop process"):
            await World.open(library_path)


async def test_a_second_process_cannot_open_the_library_for_writing(library_path: Path) -> None:
    async with await World.open(library_path):
        result = subprocess.run(
            [sys.executable, "-m", "dam_desktop", "--library", str(library_path), "trash", "1"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert "already open in another dam-desktop process" in result.stderr
    assert "Traceback" not in result.stderr


async def test_the_lock_is_released_on_close(library_path: Path) -> None:
    world = await World.open(library_path)
    await world.close()
    reopened = await World.open(library_path)
    await reopened.close()


async def test_half_written_files_from_a_crash_are_removed_on_open(library_path: Path) -> None:
    async with await World.open(library_path):
        pass
    leftover = library_path / "tmp" / "import-123.partial"
    leftover.write_bytes(b"half a file")
    async with await World.open(library_path) as world:
        assert world.orphan_temp_files_removed == 1
        assert list((library_path / "tmp").iterdir()) == []


async def test_opening_a_missing_library_without_create_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LibraryError, match="is not a dam-desktop library"):
        await World.open(tmp_path / "nowhere", create=False)
