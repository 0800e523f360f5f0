"""clips are embedded by the image model from their keyframes: clips already imported are marked

Revision ID: 0026_clips_need_embedding
Revises: 0025_covering_media_sort_indexes
Create Date: 2026-12-05 21:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0026_clips_need_embedding"
down_revision: str | Sequence[str] | None = "0025_covering_media_sort_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "INSERT INTO component_marker_needs_embedding (entity_id, attempts)"
        " SELECT p.entity_id, 0 FROM component_file_properties p WHERE p.asset_type = 'video'"
        " AND NOT EXISTS (SELECT 1 FROM component_marker_needs_embedding m WHERE m.entity_id = p.entity_id)"
    )


def downgrade() -> None:
    """The markers stay: an older version only skips clips it cannot embed."""
