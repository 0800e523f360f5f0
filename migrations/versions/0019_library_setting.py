"""library settings (where a shared library's store folder is)

Revision ID: 0019_library_setting
Revises: 0018_sort_order_indexes
Create Date: 2026-12-05 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_library_setting"
down_revision: str | Sequence[str] | None = "0018_sort_order_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "library_setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_library_setting")),
    )


def downgrade() -> None:
    op.drop_table("library_setting")
