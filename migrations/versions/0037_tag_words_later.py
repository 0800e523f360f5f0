"""a tag link's words are written by a background stage on PostgreSQL, not by the edit itself

Tagging 10k adjacent assets took 3.2x as long as on SQLite at 1M assets: 385 ms, of which the
60k word rows of the bench's tag (four words and two prefixes) cost 165 ms and the 10k
text-embedding markers about 95 (statement by statement, rolled back, on the 1M benchmark
library). The edit now lists its links in a table of its own, unindexed, and the words stage
(`systems.tag_words_system`) writes their words and their assets' markers a moment later through
`dam_drain_tag_words`: in the window, right after the change event of the edit; from the CLI,
before the command ends. Tag queries read the links and see the edit at once; a bare word finds
the newly tagged assets once the stage has run, and the window searches again when it has. (The
text embedding stage, which the markers feed, runs after the words stage in the same pipeline.)

What keeps the words right while edits, renames and drains run at once on several workstations:
- A drain claims listed links with SKIP LOCKED (workstations share the list), and locks each link
  and its asset (KEY SHARE, SKIP LOCKED) before it writes their words: a link or an asset being
  removed is skipped and listed again (the removal may roll back; if it commits, the next drain
  finds the link gone), and a removal that comes later waits for the drain, then forgets the
  words the drain wrote. A removal takes its links off the list first.
- A drain holds an advisory lock shared; a rename or a deletion of tags, and an asset made of an
  entity that has tags already, take it exclusive before they write or remove words, and write
  none for listed links. So a drain never reads a name being changed, and no link's words are
  written twice: a drain inserts without checking each row for a conflict (which cost as much
  again as the insert).

Revision ID: 0037_tag_words_later
Revises: 0036_tag_words_bulk
Create Date: 2026-12-06 12:40:00
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

from dam_desktop.core.sql_triggers import dialect_of

revision: str = "0037_tag_words_later"
down_revision: str | Sequence[str] | None = "0036_tag_words_bulk"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINK = "component_entity_tag_link"
CONCEPT = "component_tag_concept"
WORDS = "search_asset_word"
PENDING = "search_tag_words_pending"
MARKER = "component_marker_needs_text_embedding"
SHIFT = 2147483648
# The advisory lock between drains (shared) and tag renames and deletions (exclusive): 'damw'.
WORDS_LOCK = 0x64616D77
IS_ASSET = "EXISTS (SELECT 1 FROM component_file_properties p WHERE p.entity_id = {e})"
TAG_DELETED = "trg_search_words_tag_deleted"

_LISTED = f"""
  INSERT INTO {PENDING} (entity_id, tag_id) SELECT r.entity_id, r.tag_concept_entity_id FROM changed r;"""
_UNLISTED = f"""
  DELETE FROM {PENDING} p USING changed r
   WHERE p.entity_id = r.entity_id AND p.tag_id = r.tag_concept_entity_id;"""
# A link listed when its entity became an asset: the words stage writes its words (taking the
# lock exclusive first, no drain is between listing and writing, so each link is written once).
_NOT_LISTED = f"NOT EXISTS (SELECT 1 FROM {PENDING} q WHERE q.entity_id = l.entity_id AND q.tag_id = {{tag}})"
_ASSET_TAG_WORDS = f"""
  IF EXISTS (SELECT 1 FROM {LINK} l WHERE l.entity_id = NEW.entity_id) THEN
    PERFORM pg_advisory_xact_lock({WORDS_LOCK});
    INSERT INTO {WORDS} (term, entity_id, rowid)
      SELECT t, NEW.entity_id, NEW.entity_id::bigint * {SHIFT} + c.entity_id FROM {LINK} l
        JOIN {CONCEPT} c ON c.entity_id = l.tag_concept_entity_id
        CROSS JOIN LATERAL dam_text_terms(c.tag_name) t
       WHERE l.entity_id = NEW.entity_id AND {_NOT_LISTED.format(tag="l.tag_concept_entity_id")};
  END IF;"""
_RENAMED_WORDS = f"""
  IF NEW.tag_name IS DISTINCT FROM OLD.tag_name THEN
    PERFORM pg_advisory_xact_lock({WORDS_LOCK});
    DELETE FROM {WORDS} w WHERE w.term IN (SELECT dam_text_terms(OLD.tag_name))
       AND w.rowid & {SHIFT - 1} = OLD.entity_id;
    INSERT INTO {WORDS} (term, entity_id, rowid)
      SELECT t, l.entity_id, l.entity_id::bigint * {SHIFT} + NEW.entity_id FROM {LINK} l
        CROSS JOIN LATERAL dam_text_terms(NEW.tag_name) t
       WHERE l.tag_concept_entity_id = NEW.entity_id AND {IS_ASSET.format(e="l.entity_id")}
         AND {_NOT_LISTED.format(tag="NEW.entity_id")};
  END IF;"""
_TAG_WORDS_GONE = f"""
  PERFORM pg_advisory_xact_lock({WORDS_LOCK});
  DELETE FROM {WORDS} w USING (SELECT t, array_agg(o.entity_id) AS tags FROM gone o
         CROSS JOIN LATERAL dam_text_terms(o.tag_name) t GROUP BY t) k
   WHERE w.term = k.t AND (w.rowid & {SHIFT - 1}) = ANY (k.tags);"""

# The terms of the batch's tags, made once per tag (a bulk edit's 10k links share one name).
TERMS = (
    f"SELECT c.entity_id AS tag, t FROM {CONCEPT} c CROSS JOIN LATERAL dam_text_terms(c.tag_name) t"
    " WHERE c.entity_id IN (SELECT DISTINCT unnest(kept_tags))"
)

# Claims up to `batch` listed links, writes the words of those still linked to an asset, and
# answers how many it took off the list for good (0: the list is empty, or what is left is
# another drain's or held by removals under way).
DRAIN = f"""
CREATE OR REPLACE FUNCTION dam_drain_tag_words(batch integer) RETURNS integer LANGUAGE plpgsql
SET jit = off AS $$
DECLARE
  assets integer[];
  tags integer[];
  kept_assets integer[];
  kept_tags integer[];
  listed_again integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock_shared({WORDS_LOCK});
  WITH claimed AS (
    DELETE FROM {PENDING} p WHERE p.ctid = ANY (ARRAY(
      SELECT q.ctid FROM {PENDING} q LIMIT batch FOR UPDATE SKIP LOCKED))
    RETURNING p.entity_id, p.tag_id)
  SELECT array_agg(entity_id), array_agg(tag_id) INTO assets, tags FROM claimed;
  IF assets IS NULL THEN
    RETURN 0;
  END IF;
  SELECT array_agg(s.e), array_agg(s.g) INTO kept_assets, kept_tags FROM (
    SELECT l.entity_id AS e, l.tag_concept_entity_id AS g FROM unnest(assets, tags) r(e, g)
      JOIN {LINK} l ON l.tag_concept_entity_id = r.g AND l.entity_id = r.e
      JOIN component_file_properties p ON p.entity_id = r.e
       FOR KEY SHARE OF l, p SKIP LOCKED) s;
  IF coalesce(cardinality(kept_assets), 0) < cardinality(assets) THEN
    -- Links skipped because a removal holds them (or their asset): listed again, in case it
    -- rolls back. Links gone or not an asset's are not.
    INSERT INTO {PENDING} (entity_id, tag_id)
      SELECT r.e, r.g FROM unnest(assets, tags) r(e, g)
        JOIN {LINK} l ON l.tag_concept_entity_id = r.g AND l.entity_id = r.e
       WHERE {IS_ASSET.format(e="r.e")}
      EXCEPT SELECT k.e, k.g FROM unnest(kept_assets, kept_tags) k(e, g);
    GET DIAGNOSTICS listed_again = ROW_COUNT;
  END IF;
  IF kept_assets IS NOT NULL THEN
    -- No link's words are written twice (a rename and a new asset's trigger skip listed links,
    -- under the lock), so no conflict is checked for row by row: that doubled the time. Should
    -- one happen all the same, the batch is written again checking each row, not lost.
    BEGIN
      WITH k AS MATERIALIZED ({TERMS})
      INSERT INTO {WORDS} (term, entity_id, rowid)
        SELECT k.t, r.e, r.e::bigint * {SHIFT} + r.g FROM unnest(kept_assets, kept_tags) r(e, g)
          JOIN k ON k.tag = r.g;
    EXCEPTION WHEN unique_violation THEN
      WITH k AS MATERIALIZED ({TERMS})
      INSERT INTO {WORDS} (term, entity_id, rowid)
        SELECT k.t, r.e, r.e::bigint * {SHIFT} + r.g FROM unnest(kept_assets, kept_tags) r(e, g)
          JOIN k ON k.tag = r.g
        ON CONFLICT DO NOTHING;
    END;
    -- Their assets' text (name and tags) changed: the text embedding stage, which runs after
    -- this one, makes it again.
    INSERT INTO {MARKER} (entity_id, attempts)
      SELECT DISTINCT e, 0 FROM unnest(kept_assets) e ON CONFLICT DO NOTHING;
  END IF;
  RETURN cardinality(assets) - listed_again;
END $$"""


def _before() -> ModuleType:
    """Migration 0036, whose trigger bodies this one changes (and its downgrade puts back)."""
    path = Path(__file__).with_name("0036_tag_words_bulk.py")
    spec = importlib.util.spec_from_file_location("dam_migration_0036", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bodies(m: ModuleType) -> dict[str, str]:
    """Each changed trigger function's body now."""
    return {
        "trg_tag_links_added_fn": m._counts("+") + _LISTED,
        "trg_tag_links_removed_fn": _UNLISTED + m._counts("-") + m._REMOVED_MARKERS + m._REMOVED_WORDS,
        "trg_search_text_asset_added_fn": m._OWN_ROW + _ASSET_TAG_WORDS,
        "trg_search_text_tag_renamed_fn": _RENAMED_WORDS,
    }


def upgrade() -> None:
    if dialect_of(op) != "postgresql":
        return
    m = _before()
    # No index: an edit only appends, a drain claims rows by their place, and the list is short
    # (a removal's lookup reads it whole, which costs nothing next to its own work).
    op.execute(f"CREATE TABLE {PENDING} (entity_id integer NOT NULL, tag_id integer NOT NULL)")
    op.execute(DRAIN)
    for name, body in _bodies(m).items():
        op.execute(m._function(name, body, declare=True))
    op.execute(
        f"CREATE OR REPLACE FUNCTION {TAG_DELETED}_fn() RETURNS trigger LANGUAGE plpgsql SET jit = off"
        " SET enable_hashjoin = off SET enable_mergejoin = off"
        f" AS $$\nBEGIN{_TAG_WORDS_GONE}\nRETURN NULL;\nEND $$"
    )


def downgrade() -> None:
    if dialect_of(op) != "postgresql":
        return
    m = _before()
    # The words still waiting are written now, as the link triggers of 0036 would have.
    op.execute(
        f"INSERT INTO {WORDS} (term, entity_id, rowid)"
        f" SELECT t, l.entity_id, l.entity_id::bigint * {SHIFT} + l.tag_concept_entity_id"
        f" FROM (SELECT DISTINCT entity_id, tag_id FROM {PENDING}) p"
        f" JOIN {LINK} l ON l.entity_id = p.entity_id AND l.tag_concept_entity_id = p.tag_id"
        f" JOIN {CONCEPT} c ON c.entity_id = l.tag_concept_entity_id"
        " CROSS JOIN LATERAL dam_text_terms(c.tag_name) t"
        f" WHERE {IS_ASSET.format(e='l.entity_id')} ON CONFLICT DO NOTHING"
    )
    for name, body, _before_0036 in m.FUNCTIONS:
        op.execute(m._function(name, body, declare=True))
    op.execute(
        f"CREATE OR REPLACE FUNCTION {TAG_DELETED}_fn() RETURNS trigger LANGUAGE plpgsql SET jit = off"
        " SET enable_hashjoin = off SET enable_mergejoin = off"
        f" AS $$\nBEGIN{m._TAG_WORDS_GONE}\nRETURN NULL;\nEND $$"
    )
    op.execute("DROP FUNCTION IF EXISTS dam_drain_tag_words(integer)")
    op.execute(f"DROP TABLE IF EXISTS {PENDING}")
