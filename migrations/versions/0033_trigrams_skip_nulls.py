"""the text index's trigram indexes hold only the rows that have the column (PostgreSQL only)

Each row of the text index has either a name and a path (an asset's own row) or a tag (a tag's
row), so migration 0027's trigram indexes held an entry for a missing value in most of their
rows: the name and path indexes one per tag row (6M at 1M assets), the tags index one per asset.
A bulk tag wrote two of them per asset, into each index's pending list, which every search over
the name then read through (73k such entries in the name index's pending list of the 1M benchmark
library, a 10k-asset tag adding 20k more). The indexes are now partial, over the rows where the
column is there; a search's test of the column (`dam_fold(name) ~ ...`) implies it is, so the
planner uses them as before (EXPLAIN). Building the three at 1M assets took 51 s.
SQLite's FTS5 table needs nothing.

Revision ID: 0033_trigrams_skip_nulls
Revises: 0032_tag_name_indexes
Create Date: 2026-12-06 06:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from dam_desktop.core.sql_triggers import dialect_of

revision: str = "0033_trigrams_skip_nulls"
down_revision: str | Sequence[str] | None = "0032_tag_name_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "search_asset_text"
COLUMNS = ("name", "path", "tags")


def _rebuild(partial: bool) -> None:
    for column in COLUMNS:
        name = f"ix_{INDEX}_{column}_folded"
        where = f" WHERE {column} IS NOT NULL" if partial else ""
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(f"CREATE INDEX {name} ON {INDEX} USING gin (dam_fold({column}) gin_trgm_ops){where}")


def upgrade() -> None:
    if dialect_of(op) == "postgresql":
        _rebuild(partial=True)


def downgrade() -> None:
    if dialect_of(op) == "postgresql":
        _rebuild(partial=False)
