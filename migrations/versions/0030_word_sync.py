"""the word table's triggers without JIT, removing words by key in one statement (PostgreSQL only)

The triggers that keep `search_asset_word` (migration 0029) made a bulk tag or untag of 10k
adjacent assets 3.6-5.1x slower than on SQLite. Three causes, measured with auto_explain on the 1M
benchmark library: the planner, blind to how few rows a transition table holds, costed each
statement in the millions and compiled it with JIT (250-270 ms a statement); the delete made each
row's terms again in a nested loop instead of once per distinct text (360 ms of 10k rows sharing one
tag name); and an update removed and re-added every word of a changed row. The trigger functions now
run without JIT, make the keys to remove per distinct text and remove them in one statement, probing
the key in key order, and an update touches only the words that differ (`dam_desktop.core.text_words`).
The word table's rows are the same. SQLite's FTS5 table needs nothing.

Revision ID: 0030_word_sync
Revises: 0029_text_words
Create Date: 2026-12-06 04:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from dam_desktop.core import text_words as words
from dam_desktop.core.sql_triggers import dialect_of

revision: str = "0030_word_sync"
down_revision: str | Sequence[str] | None = "0029_text_words"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if dialect_of(op) != "postgresql":
        return
    for statement in words.SYNC_FUNCTIONS:  # CREATE OR REPLACE: the triggers call them by name
        op.execute(statement)


def downgrade() -> None:
    # The faster functions keep the same rows as 0029's; 0029's downgrade drops them all.
    pass
