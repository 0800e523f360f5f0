"""indexes in the grid's name, size and type orders

The first screen of a million assets sorted by name took half a second (every row through a
sorter); read from an index in that order it takes about a millisecond, and each following page
starts where the last ended. The (file_size_bytes) index is a prefix of the size order's.

Revision ID: 0018_sort_order_indexes
Revises: 0017_video_document_properties_formats
Create Date: 2026-12-05 18:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from dam_desktop.core.sql_triggers import execute

revision: str = "0018_sort_order_indexes"
down_revision: str | Sequence[str] | None = "0017_video_document_properties_formats"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "component_file_properties"


def upgrade() -> None:
    op.drop_index("ix_component_file_properties_file_size_bytes", table_name=TABLE)
    execute(
        op,
        f"CREATE INDEX ix_file_properties_name_order ON {TABLE}"
        " (original_filename COLLATE NOCASE, entity_id)",
    )
    op.create_index("ix_file_properties_size_order", TABLE, ["file_size_bytes", "entity_id"])
    execute(
        op,
        f"CREATE INDEX ix_file_properties_type_order ON {TABLE}"
        " (asset_type, file_extension, original_filename COLLATE NOCASE, entity_id)",
    )


def downgrade() -> None:
    op.drop_index("ix_file_properties_type_order", table_name=TABLE)
    op.drop_index("ix_file_properties_size_order", table_name=TABLE)
    op.drop_index("ix_file_properties_name_order", table_name=TABLE)
    op.create_index("ix_component_file_properties_file_size_bytes", TABLE, ["file_size_bytes"])
