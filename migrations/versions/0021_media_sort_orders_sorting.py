"""the grid's orders by date taken, dimensions, duration and rating

These facts live in other components (image, audio and video properties, marks); triggers copy
them into the file properties (`sort_*`), so the planner orders by a column of the asset's own row
as it does for name and size. Each order has two indexes, one per direction, over the column with a
missing value (a sound's dimensions) replaced by that direction's last value: the first screen of a
million assets in either direction is read from an index, and assets lacking the fact come last in
both. The copies of existing libraries are filled once here.

Revision ID: 0021_media_sort_orders_sorting
Revises: 0020_asset_marks
Create Date: 2026-12-05 21:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from dam_desktop.core.sql_triggers import create_trigger, drop_trigger, execute

revision: str = "0021_media_sort_orders_sorting"
down_revision: str | Sequence[str] | None = "0020_asset_marks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "component_file_properties"
IMAGE = "component_image_properties"
AUDIO = "component_audio_properties"
VIDEO = "component_video_properties"
MARKS = "component_asset_marks"

# Column: (ascending: what a missing value counts as, descending: the same). Kept in step with
# `sorting.MISSING_SORTS_AS` (a migration does not import what may change after it).
MISSING = {
    "sort_taken_at": ("'9999-12-31 23:59:59'", "'0001-01-01 00:00:00'"),
    "sort_pixels": ("9223372036854775807", "-1"),
    "sort_duration": ("1e308", "-1.0"),
    "sort_rating": ("99", "-1"),
}


def _values(entity: str) -> str:
    """SET clauses recomputing every copied fact of the asset `entity`."""
    return (
        f"sort_taken_at = coalesce((SELECT i.exif_datetime FROM {IMAGE} i WHERE i.entity_id = {entity}),"
        f" (SELECT v.created_at FROM {VIDEO} v WHERE v.entity_id = {entity})),"
        f" sort_pixels = (SELECT CAST(i.width AS BIGINT) * i.height FROM {IMAGE} i"
        f" WHERE i.entity_id = {entity}),"
        f" sort_duration = coalesce((SELECT a.duration_seconds FROM {AUDIO} a WHERE a.entity_id = {entity}),"
        f" (SELECT v.duration_seconds FROM {VIDEO} v WHERE v.entity_id = {entity})),"
        f" sort_rating = (SELECT nullif(m.rating, 0) FROM {MARKS} m WHERE m.entity_id = {entity})"
    )


def _refresh(entity: str) -> str:
    return f"UPDATE {TABLE} SET {_values(entity)} WHERE entity_id = {entity};"


# The facts each source table holds (an UPDATE of other columns changes no order).
SOURCES = {
    IMAGE: "width, height, exif_datetime",
    AUDIO: "duration_seconds",
    VIDEO: "duration_seconds, created_at",
    MARKS: "rating",
}


def _triggers() -> dict[str, str]:
    triggers = {
        # An asset whose properties were written before its file properties.
        "trg_sort_keys_asset_added": f"CREATE TRIGGER trg_sort_keys_asset_added AFTER INSERT ON {TABLE}"
        f"\nBEGIN\n    {_refresh('NEW.entity_id')}\nEND"
    }
    for source, columns in SOURCES.items():
        short = source.removeprefix("component_")
        for event, row in (("INSERT", "NEW"), (f"UPDATE OF {columns}", "NEW"), ("DELETE", "OLD")):
            name = f"trg_sort_keys_{short}_{event.split()[0].lower()}"
            triggers[name] = (
                f"CREATE TRIGGER {name} AFTER {event} ON {source}"
                f"\nBEGIN\n    {_refresh(f'{row}.entity_id')}\nEND"
            )
    return triggers


def _index_sql(column: str, descending: bool) -> str:
    missing = MISSING[column][1 if descending else 0]
    name = f"ix_file_properties_{column}_{'desc' if descending else 'asc'}"
    # The expression in parentheses of its own, as PostgreSQL wants it.
    return f"CREATE INDEX {name} ON {TABLE} ((coalesce({column}, {missing})), entity_id)"


def upgrade() -> None:
    # Plain ALTER TABLE: a batch copy of the table would lose its case-blind indexes and triggers.
    op.add_column(TABLE, sa.Column("sort_taken_at", sa.DateTime(), nullable=True))
    op.add_column(TABLE, sa.Column("sort_pixels", sa.BigInteger(), nullable=True))
    op.add_column(TABLE, sa.Column("sort_duration", sa.Float(), nullable=True))
    op.add_column(TABLE, sa.Column("sort_rating", sa.Integer(), nullable=True))
    execute(op, f"UPDATE {TABLE} SET {_values(f'{TABLE}.entity_id')}")
    for column in MISSING:
        for descending in (False, True):
            execute(op, _index_sql(column, descending))
    for sql in _triggers().values():
        create_trigger(op, sql)


def downgrade() -> None:
    for sql in _triggers().values():
        drop_trigger(op, sql)
    for column in MISSING:
        for descending in (False, True):
            op.drop_index(f"ix_file_properties_{column}_{'desc' if descending else 'asc'}", table_name=TABLE)
    for column in ("sort_rating", "sort_duration", "sort_pixels", "sort_taken_at"):
        execute(op, f"ALTER TABLE {TABLE} DROP COLUMN {column}")
