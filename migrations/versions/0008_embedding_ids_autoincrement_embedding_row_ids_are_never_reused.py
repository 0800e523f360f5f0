"""embedding row ids are never reused

Revision ID: 0008_embedding_ids_autoincrement
Revises: 0007_text_embedding_triggers
Create Date: 2026-11-29 14:35:36.041110
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from dam_desktop.core.sql_triggers import dialect_of

revision: str = "0008_embedding_ids_autoincrement"
down_revision: str | Sequence[str] | None = "0007_text_embedding_triggers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The in-memory vector index notices a replaced vector by its new row id; without AUTOINCREMENT
# SQLite hands a deleted last row's id to the next insert.
TABLES = (
    "component_embedding_minilm_l6_v2_d384",
    "component_embedding_clip_vit_b32_d512",
    "component_embedding_clip_vit_l14_d768",
    "component_audio_embedding_logmel_d224",
    "component_audio_embedding_clap_htsat_unfused_d512",
)


def _rebuild(autoincrement: bool) -> None:
    if dialect_of(op) != "sqlite":
        return  # PostgreSQL's sequences never hand an id out twice
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _rebuild(True)


def downgrade() -> None:
    _rebuild(False)
