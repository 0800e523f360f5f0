"""a tag's links are checked in the tag's own index range (PostgreSQL only)

Walking the assets in another order than their tags' (by size, name, date taken...), the search
checks each asset for a tag with one index lookup. The planner means that lookup to land in the
tag's range of the (tag, entity) index, the few pages a tag's links fill, which stay in the CPU's
caches from one lookup to the next; SQLite is told so with `INDEXED BY`. PostgreSQL chose the
unique (entity, tag) index instead, whose lookups each land on a page of their own among all the
library's links: its cost model sees only that the (entity, tag) index is the smaller of the two
(it is filled in entity id order, the (tag, entity) one all over). At 1M assets the first screen
of a tag on 18% of them by size read 5.6k assets and took 46-76 ms that way, 18-32 ms through the
tag's range (EXPLAIN ANALYZE, load 7-8 on 2 CPUs).

So on PostgreSQL the pair's uniqueness moves to the (tag, entity) index, and the lookups by entity
(an asset's tags, the sidebar's counts, deleting an entity) get an (entity) index that carries the
tag id beside it: a tag check by both ids has exactly one index whose key it fills, the unique
one. SQLite's schema is unchanged.

Revision ID: 0028_tag_probe_index
Revises: 0027_folded_text_trigrams
Create Date: 2026-12-06 03:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from dam_desktop.core.sql_triggers import dialect_of

revision: str = "0028_tag_probe_index"
down_revision: str | Sequence[str] | None = "0027_folded_text_trigrams"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINK = "component_entity_tag_link"
BY_TAG = "ix_entity_tag_link_tag_entity"
BY_ENTITY = "ix_entity_tag_link_entity"
PAIR = "uq_component_entity_tag_link_entity_id_tag_concept_entity_id"


def upgrade() -> None:
    if dialect_of(op) != "postgresql":
        return
    # The pair stays unique at every step.
    op.execute(f"CREATE UNIQUE INDEX {BY_TAG}_unique ON {LINK} (tag_concept_entity_id, entity_id)")
    op.execute(f"DROP INDEX {BY_TAG}")
    op.execute(f"ALTER INDEX {BY_TAG}_unique RENAME TO {BY_TAG}")
    op.execute(f"CREATE INDEX {BY_ENTITY} ON {LINK} (entity_id) INCLUDE (tag_concept_entity_id)")
    op.execute(f"ALTER TABLE {LINK} DROP CONSTRAINT {PAIR}")


def downgrade() -> None:
    if dialect_of(op) != "postgresql":
        return
    op.execute(f"ALTER TABLE {LINK} ADD CONSTRAINT {PAIR} UNIQUE (entity_id, tag_concept_entity_id)")
    op.execute(f"DROP INDEX {BY_ENTITY}")
    op.execute(f"CREATE INDEX {BY_TAG}_plain ON {LINK} (tag_concept_entity_id, entity_id)")
    op.execute(f"DROP INDEX {BY_TAG}")
    op.execute(f"ALTER INDEX {BY_TAG}_plain RENAME TO {BY_TAG}")
