"""mark text embeddings stale when names or tags change

Revision ID: 0007_text_embedding_triggers
Revises: 0006_embeddings
Create Date: 2026-11-29 14:15:27.962690
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from dam_desktop.core.sql_triggers import create_trigger, dialect_of, drop_trigger, sql_for

revision: str = "0007_text_embedding_triggers"
down_revision: str | Sequence[str] | None = "0006_embeddings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


MARKER = "component_marker_needs_text_embedding"

# A text embedding covers an asset's name and tags: whatever changes them, from any code path
# (tag edits, merges, renames, undo), marks the asset in the same transaction. Deleting an entity
# cascades to its tag links; the EXISTS guard keeps those deletes from marking a vanished entity.
TRIGGERS: dict[str, str] = {
    "trg_text_embedding_new_asset": f"""
CREATE TRIGGER trg_text_embedding_new_asset AFTER INSERT ON component_file_properties
BEGIN
    INSERT OR IGNORE INTO {MARKER} (entity_id, attempts) VALUES (NEW.entity_id, 0);
END""",
    "trg_text_embedding_tag_added": f"""
CREATE TRIGGER trg_text_embedding_tag_added AFTER INSERT ON component_entity_tag_link
BEGIN
    INSERT OR IGNORE INTO {MARKER} (entity_id, attempts)
    SELECT NEW.entity_id, 0
    WHERE EXISTS (SELECT 1 FROM component_file_properties p WHERE p.entity_id = NEW.entity_id);
END""",
    "trg_text_embedding_tag_removed": f"""
CREATE TRIGGER trg_text_embedding_tag_removed AFTER DELETE ON component_entity_tag_link
BEGIN
    INSERT OR IGNORE INTO {MARKER} (entity_id, attempts)
    SELECT OLD.entity_id, 0
    WHERE EXISTS (SELECT 1 FROM component_file_properties p WHERE p.entity_id = OLD.entity_id);
END""",
    "trg_text_embedding_tag_renamed": f"""
CREATE TRIGGER trg_text_embedding_tag_renamed AFTER UPDATE OF tag_name ON component_tag_concept
BEGIN
    INSERT OR IGNORE INTO {MARKER} (entity_id, attempts)
    SELECT l.entity_id, 0 FROM component_entity_tag_link l WHERE l.tag_concept_entity_id = NEW.entity_id;
END""",
}


def upgrade() -> None:
    for sql in TRIGGERS.values():
        create_trigger(op, sql)
    # Assets that are already in the library get their text embeddings on the next run.
    op.execute(
        sql_for(
            f"INSERT OR IGNORE INTO {MARKER} (entity_id, attempts)"
            " SELECT entity_id, 0 FROM component_file_properties",
            dialect_of(op),
        )
    )


def downgrade() -> None:
    for sql in TRIGGERS.values():
        drop_trigger(op, sql)
