"""the word table's words removed by range where a bulk edit's keys crowd it, added unsorted
(PostgreSQL only)

Tagging or untagging 10k adjacent assets stayed 4.4x and 3.1x slower than on SQLite at 1M assets
after migration 0030. Measured with auto_explain: the untag removed its 60k words (six terms of
the tag over 10k consecutive assets) with one index descent per key, 206 ms; and the tag sorted its
60k words before inserting them, 45-57 ms. Now a term whose keys crowd its range of entities is
removed with one read along that range, its rows checked against the keys hashed (6 ms a term),
and an insert's words go in as they come, grouped by term (`dam_desktop.core.text_words`). The
word table's rows are the same. SQLite's FTS5 table needs nothing.

Revision ID: 0031_word_ranges
Revises: 0030_word_sync
Create Date: 2026-12-06 06:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from dam_desktop.core import text_words as words
from dam_desktop.core.sql_triggers import dialect_of

revision: str = "0031_word_ranges"
down_revision: str | Sequence[str] | None = "0030_word_sync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if dialect_of(op) != "postgresql":
        return
    for statement in words.SYNC_FUNCTIONS:  # CREATE OR REPLACE: the triggers call them by name
        op.execute(statement)


def downgrade() -> None:
    # The functions keep the same rows as 0030's; 0029's downgrade drops them all.
    pass
