"""indexes over the tag names for the word ranking and autocomplete (PostgreSQL only)

The word ranking on PostgreSQL (`services.search.lexical_postgres`) scores a tag's rows once per
tag, every row of a tag holding the same text. It finds the tags holding a sentence's words by a
regular expression over `dam_fold(tag_name)`, which read all 20k tag names (10-37 ms on the 1M
benchmark library, most of a ranking); a trigram index serves words of three letters or more.

Autocomplete asks for the tags, local names (after the namespace), aliases and namespaces that
start with what was typed, as an anchored regular expression (`^ze.*`, SQLite's GLOB `ze*`).
SQLite reads a range of the names' index for it; PostgreSQL can only where the index compares
bytes (`text_pattern_ops`; the unique indexes follow the database's collation), so it read every
tag name: 5.9 -> 1.1 ms for two letters at 20k tags, and the namespaces 0.66 -> 0.06 ms. Each
index is over at most a few tens of thousands of rows: the migration takes under a second at 1M
assets. SQLite's indexes and FTS5 table need nothing.

Revision ID: 0032_tag_name_indexes
Revises: 0031_word_ranges
Create Date: 2026-12-06 06:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from dam_desktop.core.sql_triggers import dialect_of

revision: str = "0032_tag_name_indexes"
down_revision: str | Sequence[str] | None = "0031_word_ranges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONCEPT = "component_tag_concept"
ALIAS = "component_tag_alias"
# Their names are `models.tags.tag_concept_component.POSTGRESQL_NAME_INDEXES`.
INDEXES = {
    f"ix_{CONCEPT}_name_folded": f"{CONCEPT} USING gin (dam_fold(tag_name) gin_trgm_ops)",
    f"ix_{CONCEPT}_name_pattern": f"{CONCEPT} (tag_name text_pattern_ops)",
    # `tag_concepts.autocomplete`'s part after a namespace, spelled as it asks.
    f"ix_{CONCEPT}_local_name_pattern": (
        f"{CONCEPT} ((substr(tag_name, length(namespace) + 2)) text_pattern_ops) WHERE namespace > ''"
    ),
    f"ix_{CONCEPT}_namespace_pattern": f"{CONCEPT} (namespace text_pattern_ops)",  # namespace suggestions
    f"ix_{ALIAS}_name_pattern": f"{ALIAS} (alias_name text_pattern_ops)",
}


def upgrade() -> None:
    if dialect_of(op) != "postgresql":
        return
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")
    # The planner's statistics of the local names' expression, from the first autocomplete on.
    op.execute(f"ANALYZE {CONCEPT}")


def downgrade() -> None:
    if dialect_of(op) != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
