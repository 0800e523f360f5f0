"""A library fingerprinted before soundprint-v2 gets its sounds re-fingerprinted by the pipeline."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dam_desktop.core.events import AudioSearchQuery
from dam_desktop.core.migrations import alembic_config
from dam_desktop.core.stages import SystemStage
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.world_setup import open_world
from tests.audio_synthesis import write_altered_copy, write_sounds

pytestmark = pytest.mark.sqlite_only("an old library folder's SQLite file, upgraded")

BEFORE = "0012_property_covering_indexes"


def _make_it_old(db_path: Path) -> None:
    """What a library written by the previous version holds: the schema as of BEFORE (made by the
    migrations' own downgrades, so later revisions need no hand-made copies here), v1
    fingerprints, no v2 table and no markers."""
    from alembic import command

    command.downgrade(alembic_config(db_path), BEFORE)
    with sqlite3.connect(db_path) as conn:
        conn.execute("DELETE FROM component_marker_needs_audio_processing")
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (BEFORE,)


def _count(db_path: Path, sql: str) -> int:
    with sqlite3.connect(db_path) as conn:
        return int(conn.execute(sql).fetchone()[0])


async def test_opening_an_old_library_marks_its_sounds_and_the_pipeline_refingerprints_them(
    tmp_path: Path,
) -> None:
    sounds = write_sounds(tmp_path / "sounds", count=8)
    write_altered_copy(sounds[3], tmp_path / "sounds" / "copy_of_03.ogg")
    library = tmp_path / "library"
    world = await open_world(library)
    try:
        assert not (await import_paths(world, [tmp_path / "sounds"])).failed
        await world.execute_stage(SystemStage.AUDIO_PROCESSING)
        db_path = world.paths.db_path
    finally:
        await world.close()
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO component_audio_embedding_logmel_d224 (entity_id, embedding_vector, model_name)"
            " SELECT entity_id, zeroblob(896), 'logmel-stats-v1' FROM component_audio_properties"
        )
    _make_it_old(db_path)

    world = await open_world(library)
    try:
        assert _count(db_path, "SELECT count(*) FROM component_marker_needs_audio_processing") == 9
        assert _count(db_path, "SELECT count(*) FROM component_audio_embedding_soundprint_d128") == 0
        stage = await world.execute_stage(SystemStage.AUDIO_PROCESSING)
        assert not stage.failed
        assert _count(db_path, "SELECT count(*) FROM component_marker_needs_audio_processing") == 0
        assert _count(db_path, "SELECT count(*) FROM component_audio_embedding_soundprint_d128") == 9
        copy_id = _count(
            db_path,
            "SELECT entity_id FROM component_file_properties WHERE original_filename = 'copy_of_03.ogg'",
        )
        [hits] = await world.dispatch_event(AudioSearchQuery(entity_id=copy_id, limit=1))
        original_id = _count(
            db_path,
            "SELECT entity_id FROM component_file_properties WHERE original_filename = 'sound_03.wav'",
        )
        assert hits[0].entity_id == original_id
    finally:
        await world.close()
