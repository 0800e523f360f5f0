"""`library copy`: a library folder copied to a real PostgreSQL server and back answers the same
searches and "find similar" as the first, with its vectors, tags, marks and proposals; a copy that
cannot be made leaves nothing that looks like a library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select, text

from dam_desktop.core.errors import LibraryError
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.models.files import FilePropertiesComponent
from dam_desktop.models.tags import ModelGeneratedTagLinkComponent
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.services.marks.marks_service import MarkChanges
from dam_desktop.use_cases import marks as mark_cases
from dam_desktop.use_cases import tags as tag_cases
from dam_desktop.use_cases.library_copy import copy_library
from dam_desktop.use_cases.search import count_matches, search_ids
from dam_desktop.use_cases.similarity import find_similar
from dam_desktop.world_setup import open_world
from tests.audio_synthesis import write_sounds
from tests.test_semantic_clip import _pictures

# Each test copies between library folders and PostgreSQL servers it starts itself: it covers both
# backends on the first pass.
pytestmark = pytest.mark.sqlite_only(
    reason="copies between library folders and a PostgreSQL server it starts itself (both backends at once)"
)

QUERIES = [
    *["", "animal", "cat", "dog", "cat -dog", "type:audio", "sound", "sou", "name:dis", "disc"],
    *["name:disc*", 'name:"disc.png"', "width:>10", "rating:>=4"],
]
STAGES = [SystemStage.THUMBNAIL_GENERATION, SystemStage.IMAGE_DESCRIPTORS, SystemStage.AUDIO_PROCESSING]


async def _make_library(root: Path, media: Path) -> None:
    _pictures(media / "pictures")
    write_sounds(media / "sounds", count=3)
    world = await open_world(root)
    try:
        report = await import_paths(world, [media / "pictures", media / "sounds"])
        assert not report.failed
        await world.run_all_stages(STAGES)
        ids = await _ids(world)
        await tag_cases.add_tags(world, [ids["disc.png"], ids["disc_copy.jpg"]], ["cat"])
        await tag_cases.add_tags(world, [ids["square.png"]], ["dog"])
        await tag_cases.add_parent(world, "cat", "animal")
        await tag_cases.add_parent(world, "dog", "animal")
        await mark_cases.set_marks(world, [ids["stripes.png"]], MarkChanges(rating=5, note="keeper"))
        async with world.session() as session:
            vector = np.arange(8, dtype=np.float32) / 7
            await session.execute(
                text(
                    "INSERT INTO component_image_embedding (entity_id, embedding_vector, model_name)"
                    " VALUES (:e, :v, 'bench-model')"
                ),
                {"e": ids["line.png"], "v": vector.tobytes()},
            )
            await session.execute(
                text(
                    "INSERT INTO component_model_generated_tag_link"
                    " (entity_id, tag_concept_entity_id, source_model_name, confidence)"
                    " SELECT :e, entity_id, 'm', 0.75 FROM component_tag_concept WHERE tag_name = 'dog'"
                ),
                {"e": ids["line.png"]},
            )
            await session.commit()
    finally:
        await world.close()


async def _ids(world: World) -> dict[str, int]:
    async with world.session() as session:
        rows = await session.execute(
            select(FilePropertiesComponent.original_filename, FilePropertiesComponent.entity_id)
        )
        return {name: eid for name, eid in rows.all()}


async def _answers(world: World) -> dict[str, Any]:
    ids = await _ids(world)
    out: dict[str, Any] = {q: sorted(await search_ids(world, q)) for q in QUERIES}
    out["count"] = await count_matches(world, "")
    for name in ("disc.png", "sound_00.wav"):
        similar = await find_similar(world, ids[name])
        out[f"similar to {name}"] = [(h.entity_id, round(h.score, 5)) for h in similar.hits]
    async with world.session() as session:
        out["vectors"] = (
            await session.execute(
                text("SELECT entity_id, embedding_vector FROM component_image_embedding ORDER BY entity_id")
            )
        ).all()
        out["soundprints"] = await session.scalar(
            text("SELECT count(*) FROM component_audio_embedding_soundprint_d128")
        )
        out["proposals"] = await session.scalar(
            select(func.count()).select_from(ModelGeneratedTagLinkComponent)
        )
    return out


async def test_a_library_copied_to_postgresql_and_back_answers_as_the_first(
    shared_library_url: str, tmp_path: Path
) -> None:
    first_root, store, back = tmp_path / "first", tmp_path / "studio-store", tmp_path / "back"
    await _make_library(first_root, tmp_path / "media")
    first = await open_world(first_root)
    try:
        expected = await _answers(first)
    finally:
        await first.close()
    assert (
        expected["similar to disc.png"]
        and expected["similar to sound_00.wav"]
        and expected["soundprints"] == 3
    )
    assert expected["animal"] == sorted(expected["cat"] + expected["dog"])  # parents answer for children

    phases: set[str] = set()
    to_server = await copy_library(
        first_root, shared_library_url, store=store, progress=lambda phase, _d, _t: phases.add(phase)
    )
    assert {"copying", "checking", "store"} <= phases
    assert to_server.rows > 50 and to_server.store is not None and to_server.store.linked > 0
    assert to_server.missing_files == 0
    shared = await open_world(shared_library_url)
    try:
        assert shared.is_shared and shared.paths.root == store.resolve()
        assert await _answers(shared) == expected
    finally:
        await shared.close()

    from_server = await copy_library(shared_library_url, back)
    assert [(t.table, t.rows, t.sha256) for t in from_server.tables] == [
        (t.table, t.rows, t.sha256) for t in to_server.tables
    ]
    final = await open_world(back)
    try:
        assert await _answers(final) == expected
        async with final.session() as session:
            thumbnails = await session.scalar(text("SELECT count(*) FROM component_file_properties"))
        assert len(list((back / "thumbnails").rglob("*.webp"))) == thumbnails
    finally:
        await final.close()


async def test_a_copy_into_a_library_that_is_not_empty_changes_nothing(
    shared_library_url: str, tmp_path: Path
) -> None:
    await _make_library(tmp_path / "first", tmp_path / "media")
    await copy_library(tmp_path / "first", shared_library_url, store=tmp_path / "store")
    with pytest.raises(LibraryError, match="already holds a library"):
        await copy_library(tmp_path / "first", shared_library_url, store=tmp_path / "store")
    world = await open_world(shared_library_url)  # still whole, still opens
    await world.close()

    (tmp_path / "occupied").mkdir()
    (tmp_path / "occupied" / "notes.txt").write_text("mine")
    with pytest.raises(LibraryError, match="not an empty folder"):
        await copy_library(tmp_path / "first", tmp_path / "occupied")
    assert [p.name for p in (tmp_path / "occupied").iterdir()] == ["notes.txt"]


async def test_a_failed_copy_leaves_no_library_behind(
    shared_library_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _make_library(tmp_path / "first", tmp_path / "media")
    from dam_desktop.services.library_copy import transfer
    from dam_desktop.services.library_copy.rows import TableDigest, digest_table

    real = digest_table

    def corrupted(connection, table):  # type: ignore[no-untyped-def]
        digest = real(connection, table)
        if table.name == "component_entity_tag_link":
            return TableDigest(digest.table, digest.rows, "0" * 64)
        return digest

    monkeypatch.setattr(transfer, "digest_table", corrupted)
    with pytest.raises(LibraryError, match=r"does not match its source.*component_entity_tag_link"):
        await copy_library(tmp_path / "first", tmp_path / "copy")
    assert not (tmp_path / "copy").exists()

    with pytest.raises(LibraryError, match="unfinished copy"):
        await copy_library(tmp_path / "first", shared_library_url, store=tmp_path / "store")
    with pytest.raises(LibraryError, match="unfinished copy"):
        await open_world(shared_library_url)  # no workstation opens half a library

    monkeypatch.setattr(transfer, "digest_table", real)
    await copy_library(tmp_path / "first", shared_library_url, store=tmp_path / "store")  # again: whole
    world = await open_world(shared_library_url)
    try:
        assert len(await search_ids(world, "")) == 8
    finally:
        await world.close()


def test_the_command_copies_with_progress_and_says_it_verified(
    shared_library_url: str, tmp_path: Path
) -> None:
    import asyncio

    asyncio.run(_make_library(tmp_path / "first", tmp_path / "media"))
    command = [sys.executable, "-m", "dam_desktop", "library", "copy"]
    done = subprocess.run(
        [*command, str(tmp_path / "first"), shared_library_url, "--store", str(tmp_path / "first")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "copying rows" in done.stderr and "checking the copy" in done.stderr
    assert "verified: every table's row count and checksum match" in done.stdout
    assert "store: shared with the source" in done.stdout

    again = subprocess.run(
        [*command, str(tmp_path / "first"), shared_library_url, "--store", str(tmp_path / "s")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 1
    assert again.stderr.count("\n") == 1 and "already holds a library" in again.stderr
    assert "Traceback" not in again.stderr
