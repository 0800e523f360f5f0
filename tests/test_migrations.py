"""Alembic: the migrations describe exactly the models, and old libraries upgrade with their data."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from dam_desktop.core import World
from dam_desktop.core.migrations import current_revision, head_revision, upgrade_library
from dam_desktop.core.schema_version import is_up_to_date, script_heads, stored_revisions

pytestmark = pytest.mark.sqlite_only(
    "SQLite library files made at old revisions, upgraded"
    " (test_shared_library checks the migrations on PostgreSQL)"
)

REPO_ROOT = Path(__file__).resolve().parent.parent
FIRST_REVISION = "0001"


def test_models_and_migrations_do_not_differ(tmp_path: Path) -> None:
    # In a fresh interpreter, so tables that other tests define for themselves are not counted.
    scratch = tmp_path / "check.sqlite3"
    alembic = [sys.executable, "-m", "alembic", "-c", str(REPO_ROOT / "alembic.ini"), "-x", f"db={scratch}"]
    upgrade = subprocess.run([*alembic, "upgrade", "heads"], capture_output=True, text=True, check=False)
    assert upgrade.returncode == 0, upgrade.stderr
    check = subprocess.run([*alembic, "check"], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_migrations_form_a_single_line() -> None:
    assert head_revision() is not None


async def test_library_made_at_the_first_revision_upgrades_with_its_data(tmp_path: Path) -> None:
    library = tmp_path / "old-library"
    library.mkdir()
    db_path = library / "dam.sqlite3"
    upgrade_library(db_path, FIRST_REVISION)
    assert current_revision(db_path) == FIRST_REVISION

    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO entities (id, created_at) VALUES (1, '2026-01-02 03:04:05')")
        conn.execute(
            "INSERT INTO component_file_properties "
            "(entity_id, original_filename, file_size_bytes, mime_type, file_extension, asset_type) "
            "VALUES (1, 'beach.jpg', 1234, 'image/jpeg', 'jpg', 'image')"
        )
        conn.execute(
            "INSERT INTO component_content_hash_sha256 (entity_id, hash_value) VALUES (1, ?)", (b"x" * 32,)
        )

    async with await World.open(library) as world:
        assert current_revision(world.paths.db_path) == head_revision()

    with sqlite3.connect(db_path) as conn:
        row = conn.execute(
            "SELECT e.created_at, p.original_filename, p.file_size_bytes, h.hash_value FROM entities e "
            "JOIN component_file_properties p ON p.entity_id = e.id "
            "JOIN component_content_hash_sha256 h ON h.entity_id = e.id"
        ).fetchone()
    assert row == ("2026-01-02 03:04:05", "beach.jpg", 1234, b"x" * 32)


def test_quick_head_check_agrees_with_alembic() -> None:
    assert script_heads() == {head_revision()}


async def test_an_up_to_date_library_is_recognised_and_an_old_one_is_not(tmp_path: Path) -> None:
    db_path = tmp_path / "lib" / "dam.sqlite3"
    db_path.parent.mkdir()
    assert stored_revisions(db_path) == set()
    assert not is_up_to_date(db_path)
    upgrade_library(db_path, FIRST_REVISION)
    assert stored_revisions(db_path) == {FIRST_REVISION}
    assert not is_up_to_date(db_path)
    upgrade_library(db_path)
    assert stored_revisions(db_path) == script_heads()
    assert is_up_to_date(db_path)


async def test_the_text_index_is_filled_for_a_library_made_before_it(tmp_path: Path) -> None:
    from dam_desktop.services.search import search_service

    library = tmp_path / "old-library"
    library.mkdir()
    db_path = library / "dam.sqlite3"
    upgrade_library(db_path, "0013_soundprint_v2")
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO entities (id, created_at) VALUES (1, '2026-01-02 03:04:05'), (2, '2026-01-03')"
        )
        conn.execute(
            "INSERT INTO component_file_properties "
            "(entity_id, original_filename, file_size_bytes, mime_type, file_extension, asset_type) "
            "VALUES (1, 'Été_beach.jpg', 1234, 'image/jpeg', 'jpg', 'image')"
        )
        conn.execute(
            "INSERT INTO component_file_location (entity_id, storage_type, path, source_path)"
            " VALUES (1, 'reference', '/home/me/Holidays/Été_beach.jpg', NULL)"
        )
        conn.execute(
            "INSERT INTO component_tag_concept (entity_id, tag_name, use_count) VALUES (2, 'sunny day', 1)"
        )
        conn.execute("INSERT INTO component_entity_tag_link (entity_id, tag_concept_entity_id) VALUES (1, 2)")
        conn.execute(
            "INSERT INTO component_embedding_minilm_l6_v2_d384 (entity_id, embedding_vector,"
            " source_component_name, source_field_name) VALUES (1, x'00', 'FilePropertiesComponent',"
            " 'original_filename_with_tags')"
        )
        conn.execute("DELETE FROM component_marker_needs_text_embedding")

    async with await World.open(library) as world, world.session() as s:
        assert await search_service.search(s, "ete") == [1]
        assert await search_service.search(s, "path:holidays") == [1]
        assert await search_service.search(s, "sunn") == [1]

    with sqlite3.connect(db_path) as conn:
        # Its text embedding was made before camera counters were left out: it is made again.
        assert conn.execute("SELECT entity_id FROM component_marker_needs_text_embedding").fetchall() == [
            (1,)
        ]
