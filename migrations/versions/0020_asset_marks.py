"""ratings, colour labels, flags, notes and source URLs

One row per asset that has any of them (`component_asset_marks`), indexed by rating, label and
flag with the entity id, so `rating:>=4`, `label:red` and `flag:pick` read an index range.

Revision ID: 0020_asset_marks
Revises: 0019_library_setting
Create Date: 2026-12-05 18:26:03.821489
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_asset_marks"
down_revision: str | Sequence[str] | None = "0019_library_setting"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "component_asset_marks",
        sa.Column("rating", sa.Integer(), server_default="0", nullable=False),
        sa.Column("label", sa.String(length=16), nullable=True),
        sa.Column("flag", sa.String(length=8), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source_url", sa.String(length=2048), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_component_asset_marks_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_component_asset_marks")),
    )
    with op.batch_alter_table("component_asset_marks", schema=None) as batch_op:
        batch_op.create_index("ix_asset_marks_flag_entity", ["flag", "entity_id"], unique=False)
        batch_op.create_index("ix_asset_marks_label_entity", ["label", "entity_id"], unique=False)
        batch_op.create_index("ix_asset_marks_rating_entity", ["rating", "entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_component_asset_marks_entity_id"), ["entity_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("component_asset_marks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_component_asset_marks_entity_id"))
        batch_op.drop_index("ix_asset_marks_rating_entity")
        batch_op.drop_index("ix_asset_marks_label_entity")
        batch_op.drop_index("ix_asset_marks_flag_entity")

    op.drop_table("component_asset_marks")
