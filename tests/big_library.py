"""A library of a million rows at the first schema revision, filled with plain sqlite3.

Built once per test session (about 6 s) and copied by each test that needs one: 250,000 assets,
each an entity with file properties, image properties and a thumbnail still to make. Small rows,
so each copy the kill tests make (about 60 MB) costs little.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from dam_desktop.core.migrations import upgrade_library

ASSETS = 250_000
FIRST_REVISION = "0001"
# Tables filled, and how many rows each holds; together at least a million.
ROW_COUNTS = {
    "entities": ASSETS,
    "component_file_properties": ASSETS,
    "component_image_properties": ASSETS,
    "component_marker_needs_thumbnail": ASSETS,
}


def build_big_library(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    upgrade_library(db_path, FIRST_REVISION)
    ids = range(1, ASSETS + 1)
    with closing(sqlite3.connect(db_path)) as connection, connection:
        connection.executemany(
            "INSERT INTO entities (id, created_at) VALUES (?, '2026-01-01 00:00:00')", ((i,) for i in ids)
        )
        connection.executemany(
            "INSERT INTO component_file_properties (entity_id, original_filename, file_size_bytes, "
            "mime_type, file_extension, asset_type) VALUES (?, ?, ?, 'image/png', 'png', 'image')",
            ((i, f"{i}.png", i * 10) for i in ids),
        )
        connection.executemany(
            "INSERT INTO component_image_properties (entity_id, width, height, mode, is_animated, "
            "frame_count) VALUES (?, ?, ?, 'RGB', 0, 1)",
            ((i, i % 4000, i % 3000) for i in ids),
        )
        connection.executemany(
            "INSERT INTO component_marker_needs_thumbnail (entity_id, attempts) VALUES (?, 0)",
            ((i,) for i in ids),
        )
    with closing(sqlite3.connect(db_path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def row_counts(db_path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)) as connection:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ROW_COUNTS
        }
