"""trigram indexes over the text index's folded words (PostgreSQL only)

On PostgreSQL the text index (`search_asset_text`, migration 0016) is a plain table and `name:`,
`path:` and bare words match its columns as `dam_fold(column) ~ regular expression`, case and
accents folded (`text_match_postgres`). Migration 0016's trigram indexes were over the columns as
written, which that folded test cannot use: every search read all 7M rows of a 1M-asset library
(6-13 s). These are over `dam_fold(column)`, the same expression the searches test, so a word of
three letters or more finds its rows through the index (pg_trgm serves regular expressions).
`unaccent` is not IMMUTABLE (its dictionary could change), so `dam_fold` names the dictionary,
which makes it fit for an index. SQLite's FTS5 table needs nothing.

Revision ID: 0027_folded_text_trigrams
Revises: 0026_clips_need_embedding
Create Date: 2026-12-06 00:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from dam_desktop.core.sql_triggers import dialect_of

revision: str = "0027_folded_text_trigrams"
down_revision: str | Sequence[str] | None = "0026_clips_need_embedding"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "search_asset_text"
COLUMNS = ("name", "path", "tags")
FOLD = (
    "CREATE OR REPLACE FUNCTION dam_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE"
    " AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$"
)


def upgrade() -> None:
    if dialect_of(op) != "postgresql":
        return
    op.execute(FOLD)
    for column in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS ix_{INDEX}_{column}")
        op.execute(
            f"CREATE INDEX ix_{INDEX}_{column}_folded ON {INDEX} USING gin (dam_fold({column}) gin_trgm_ops)"
        )


def downgrade() -> None:
    if dialect_of(op) != "postgresql":
        return
    for column in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS ix_{INDEX}_{column}_folded")
        op.execute(f"CREATE INDEX ix_{INDEX}_{column} ON {INDEX} USING gin ({column} gin_trgm_ops)")
    op.execute("DROP FUNCTION IF EXISTS dam_fold(text)")
