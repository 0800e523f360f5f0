"""the date taken, dimensions, duration and rating orders' indexes cover their pages

SQLite (3.40) reads an index on an expression as covering only when the query's columns are in
it: with the copied column itself after the entity id, a page in these orders is read from the
index alone, without a lookup into the file properties per row.

Revision ID: 0025_covering_media_sort_indexes
Revises: 0024_search_asset_count
Create Date: 2026-12-05 21:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from dam_desktop.core.sql_triggers import execute

revision: str = "0025_covering_media_sort_indexes"
down_revision: str | Sequence[str] | None = "0024_search_asset_count"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "component_file_properties"
# As in 0021: (ascending: what a missing value counts as, descending: the same).
MISSING = {
    "sort_taken_at": ("'9999-12-31 23:59:59'", "'0001-01-01 00:00:00'"),
    "sort_pixels": ("9223372036854775807", "-1"),
    "sort_duration": ("1e308", "-1.0"),
    "sort_rating": ("99", "-1"),
}


def _recreate(*, covering: bool) -> None:
    for column, missing in MISSING.items():
        for descending in (False, True):
            name = f"ix_file_properties_{column}_{'desc' if descending else 'asc'}"
            op.drop_index(name, table_name=TABLE)
            tail = f", {column}" if covering else ""
            execute(
                op,
                f"CREATE INDEX {name} ON {TABLE}"
                f" ((coalesce({column}, {missing[1 if descending else 0]})), entity_id{tail})",
            )


def upgrade() -> None:
    _recreate(covering=True)


def downgrade() -> None:
    _recreate(covering=False)
