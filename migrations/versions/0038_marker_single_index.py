"""markers keep one index on their entity: the unique constraint's

Every marker table had two indexes on `entity_id`, the base component's and its unique
constraint's, and every lookup can use the second. Writing 10k text-embedding markers (a tag edit
of 10k assets, rolled back, on the 1M benchmark library's PostgreSQL copy) cost about 12 ms for
the first one alone.

Revision ID: 0038_marker_single_index
Revises: 0037_tag_words_later
Create Date: 2026-12-06 13:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0038_marker_single_index"
down_revision: str | Sequence[str] | None = "0037_tag_words_later"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MARKERS = (
    "component_marker_needs_audio_processing",
    "component_marker_needs_auto_tagging",
    "component_marker_needs_embedding",
    "component_marker_needs_image_descriptor",
    "component_marker_needs_metadata",
    "component_marker_needs_scrub_strip",
    "component_marker_needs_text_embedding",
    "component_marker_needs_thumbnail",
)


def upgrade() -> None:
    for table in MARKERS:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_entity_id")


def downgrade() -> None:
    for table in MARKERS:
        op.execute(f"CREATE INDEX IF NOT EXISTS ix_{table}_entity_id ON {table} (entity_id)")
