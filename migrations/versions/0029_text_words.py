"""a word table beside the text index, each word's rows in the assets' order (PostgreSQL only)

pg_trgm's GIN indexes (migration 0027) find a word's rows but not in the assets' order, so the
first page of a common word read, rechecked and sorted all of its matches: 460 ms for a
three-letter prefix on the 1M-asset benchmark library, 38 times FTS5's. `search_asset_word` holds
each folded word of the names and tags, each word's three-letter prefix and each whole name, with
its row, keyed `(term, entity_id, rowid)`: a word's rows in the assets' order, so a page stops early
and a count reads only the index (`dam_desktop.core.text_words`). A trigger on the text index keeps
it in step. SQLite's FTS5 table needs nothing.

Revision ID: 0029_text_words
Revises: 0028_tag_probe_index
Create Date: 2026-12-06 03:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from dam_desktop.core import text_words as words
from dam_desktop.core.sql_triggers import dialect_of

revision: str = "0029_text_words"
down_revision: str | Sequence[str] | None = "0028_tag_probe_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if dialect_of(op) != "postgresql":
        return
    op.execute(words.TERMS_FUNCTION)
    op.execute(words.ROW_TERMS_FUNCTION)
    op.execute(words.TABLE)
    op.execute(words.STATISTICS)
    for statement in words.REFILL:
        op.execute(statement)
    # The indexes are made after the fill: one sort each, where a million rows inserted one by one
    # into a btree take minutes.
    op.execute(words.KEY)
    op.execute(words.NAMES_INDEX)
    for statement in words.SYNC:
        op.execute(statement)
    op.execute(f"ANALYZE {words.WORDS}")  # planned by its statistics from the first search on


def downgrade() -> None:
    if dialect_of(op) != "postgresql":
        return
    for statement in words.UNSYNC:
        op.execute(statement)
    op.execute(f"DROP TABLE IF EXISTS {words.WORDS}")
    op.execute("DROP FUNCTION IF EXISTS dam_row_terms(bigint, text, text)")
    op.execute("DROP FUNCTION IF EXISTS dam_text_terms(text)")
