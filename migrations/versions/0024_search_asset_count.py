"""the number of assets, kept by the server (PostgreSQL only)

The status bar's count of every asset is the number of file-properties rows less the trashed.
SQLite counts an index's entries by walking its pages (3.6 ms at a million assets); PostgreSQL
visits every entry of an index (115 ms there, 32x). On PostgreSQL the number is kept in a
one-row table by statement triggers (one UPDATE per INSERT or DELETE statement, however many
rows: imports already take one lock per batch, so the row adds no waiting), and the count reads
it (`sql_dialect`). Tools that load rows with triggers off recount it (`RECOUNT_ASSETS`).

Revision ID: 0024_search_asset_count
Revises: 0023_link_statement_triggers
Create Date: 2026-12-05 21:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from dam_desktop.core.sql_dialect import ASSET_COUNT_TABLE, RECOUNT_ASSETS
from dam_desktop.core.sql_triggers import dialect_of

revision: str = "0024_search_asset_count"
down_revision: str | Sequence[str] | None = "0023_link_statement_triggers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ASSETS = "component_file_properties"
TRIGGERS = (
    ("trg_asset_count_added", "INSERT", "NEW", "+"),
    ("trg_asset_count_removed", "DELETE", "OLD", "-"),
)


def upgrade() -> None:
    if dialect_of(op) != "postgresql":
        return
    op.execute(
        f"CREATE TABLE {ASSET_COUNT_TABLE}"
        " (one boolean PRIMARY KEY DEFAULT true CHECK (one), n bigint NOT NULL)"
    )
    op.execute(f"INSERT INTO {ASSET_COUNT_TABLE} (n) VALUES (0)")
    op.execute(RECOUNT_ASSETS)
    for name, event, table, sign in TRIGGERS:
        op.execute(
            f"CREATE OR REPLACE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n  UPDATE {ASSET_COUNT_TABLE} SET n = n {sign} (SELECT count(*) FROM changed);\n"
            "RETURN NULL;\nEND $$"
        )
        op.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {ASSETS} REFERENCING {table} TABLE AS changed"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {name}_fn()"
        )


def downgrade() -> None:
    if dialect_of(op) != "postgresql":
        return
    for name, _event, _table, _sign in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {ASSETS}")
        op.execute(f"DROP FUNCTION IF EXISTS {name}_fn()")
    op.execute(f"DROP TABLE {ASSET_COUNT_TABLE}")
