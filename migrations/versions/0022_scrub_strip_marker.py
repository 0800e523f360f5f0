"""the hover-scrub strip marker of clips; clips already imported are marked

Revision ID: 0022_scrub_strip_marker
Revises: 0021_media_sort_orders_sorting
Create Date: 2026-12-05 21:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_scrub_strip_marker"
down_revision: str | Sequence[str] | None = "0021_media_sort_orders_sorting"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "component_marker_needs_scrub_strip"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.String(length=2000), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f(f"fk_{TABLE}_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("entity_id", name=op.f(f"uq_{TABLE}_entity_id")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_entity_id"), ["entity_id"], unique=False)
    op.execute(
        f"INSERT INTO {TABLE} (entity_id, attempts)"
        " SELECT p.entity_id, 0 FROM component_file_properties p WHERE p.asset_type = 'video'"
    )


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{TABLE}_entity_id"))
    op.drop_table(TABLE)
