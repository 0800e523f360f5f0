"""deleting a tagged asset no longer trips the text-embedding trigger

When an entity is deleted, SQLite cascades the delete to its tag links; the tag-removed trigger
then tried to mark the vanishing entity for re-embedding (its file properties were not always gone
yet), and the marker's foreign key failed the whole delete. The guard now also asks whether the
entity itself still exists.

Revision ID: 0010_fix_tag_removed_trigger
Revises: 0009_tag_link_entity_index
Create Date: 2026-11-29 15:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from dam_desktop.core.sql_triggers import create_trigger, drop_trigger

revision: str = "0010_fix_tag_removed_trigger"
down_revision: str | Sequence[str] | None = "0009_tag_link_entity_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MARKER = "component_marker_needs_text_embedding"


def _tag_removed_trigger(guard: str) -> str:
    return f"""
CREATE TRIGGER trg_text_embedding_tag_removed AFTER DELETE ON component_entity_tag_link
BEGIN
    INSERT OR IGNORE INTO {MARKER} (entity_id, attempts)
    SELECT OLD.entity_id, 0
    WHERE {guard};
END"""


_ASSET_GUARD = "EXISTS (SELECT 1 FROM component_file_properties p WHERE p.entity_id = OLD.entity_id)"
_ENTITY_GUARD = "EXISTS (SELECT 1 FROM entities e WHERE e.id = OLD.entity_id)"


def upgrade() -> None:
    drop_trigger(op, _tag_removed_trigger(_ASSET_GUARD))
    create_trigger(op, _tag_removed_trigger(f"{_ENTITY_GUARD} AND {_ASSET_GUARD}"))


def downgrade() -> None:
    drop_trigger(op, _tag_removed_trigger(_ASSET_GUARD))
    create_trigger(op, _tag_removed_trigger(_ASSET_GUARD))
