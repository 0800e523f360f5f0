"""a full-text index of asset names, locations and tags (search_asset_text, FTS5)

`name:`, `path:`, bare words that are not tags and the lexical half of hybrid search read this
index instead of scanning a million names. Each asset has one row for its name and locations,
rowid = entity id << 31, and one row per manual tag, rowid = (entity id << 31) + tag id, so an
asset's rows sit together in rowid order, which is date-added order. A row per tag makes tagging
an insert into the index and untagging a delete of one small row: keeping the tags in the asset's
own row made bulk-tagging 10k assets ten times slower (an FTS5 update re-reads and re-indexes the
whole row: 1,050 ms instead of 95 ms of CPU on a 20k-asset library; a row per tag: 220 ms).
The rows are kept by the triggers below in the same transaction as whatever changed them, from
any code path; the words are folded for case and accents by the `unicode61 remove_diacritics 2`
tokenizer, inside SQLite, so a plain sqlite3 connection keeps the index right too.

Existing libraries are filled here. Assets whose text embedding was made from the text before
embedding-text version 2 (camera counters left out) are marked for text embedding again.

Revision ID: 0016_asset_text_index
Revises: 0015_image_embedding_models
Create Date: 2026-12-05 17:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from dam_desktop.core.sql_triggers import create_trigger, dialect_of, drop_trigger, execute, sql_for

revision: str = "0016_asset_text_index"
down_revision: str | Sequence[str] | None = "0015_image_embedding_models"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "search_asset_text"
LINK = "component_entity_tag_link"
CONCEPT = "component_tag_concept"
LOCATION = "component_file_location"
MARKER = "component_marker_needs_text_embedding"
TEXT_EMBEDDINGS = "component_embedding_minilm_l6_v2_d384"
SHIFT = 2147483648  # 1 << 31: an asset's rows are (entity id << 31) + 0 (its own) or + tag id


def _own(entity: str) -> str:
    return f"({entity}) * {SHIFT}"


def _tag_row(entity: str, tag: str) -> str:
    return f"({entity}) * {SHIFT} + ({tag})"


def _places(entity: str) -> str:
    """Where a person knows the file from: the source of a managed copy, a reference's path."""
    return (
        "(SELECT group_concat(CASE WHEN l.storage_type = 'managed' THEN l.source_path ELSE l.path END,"
        f" char(10)) FROM {LOCATION} l WHERE l.entity_id = {entity})"
    )


def _is_asset(entity: str) -> str:
    return f"EXISTS (SELECT 1 FROM component_file_properties p WHERE p.entity_id = {entity})"


TRIGGERS: dict[str, str] = {
    "trg_search_text_asset_added": f"""
CREATE TRIGGER trg_search_text_asset_added AFTER INSERT ON component_file_properties
BEGIN
    INSERT INTO {INDEX} (rowid, name, path) VALUES
        ({_own("NEW.entity_id")}, NEW.original_filename, {_places("NEW.entity_id")});
    INSERT INTO {INDEX} (rowid, tags)
        SELECT {_tag_row("t.entity_id", "c.entity_id")}, c.tag_name FROM {LINK} t
        CROSS JOIN {CONCEPT} c WHERE t.entity_id = NEW.entity_id AND c.entity_id = t.tag_concept_entity_id;
END""",
    "trg_search_text_asset_renamed": f"""
CREATE TRIGGER trg_search_text_asset_renamed AFTER UPDATE OF original_filename ON component_file_properties
BEGIN
    UPDATE {INDEX} SET name = NEW.original_filename WHERE rowid = {_own("NEW.entity_id")};
END""",
    "trg_search_text_asset_removed": f"""
CREATE TRIGGER trg_search_text_asset_removed AFTER DELETE ON component_file_properties
BEGIN
    DELETE FROM {INDEX} WHERE rowid BETWEEN {_own("OLD.entity_id")} AND {_own("OLD.entity_id")} + {SHIFT - 1};
END""",
    "trg_search_text_location_added": f"""
CREATE TRIGGER trg_search_text_location_added AFTER INSERT ON {LOCATION}
BEGIN
    UPDATE {INDEX} SET path = {_places("NEW.entity_id")} WHERE rowid = {_own("NEW.entity_id")};
END""",
    "trg_search_text_location_changed": f"""
CREATE TRIGGER trg_search_text_location_changed AFTER UPDATE ON {LOCATION}
BEGIN
    UPDATE {INDEX} SET path = {_places("OLD.entity_id")} WHERE rowid = {_own("OLD.entity_id")};
    UPDATE {INDEX} SET path = {_places("NEW.entity_id")} WHERE rowid = {_own("NEW.entity_id")};
END""",
    "trg_search_text_location_removed": f"""
CREATE TRIGGER trg_search_text_location_removed AFTER DELETE ON {LOCATION}
BEGIN
    UPDATE {INDEX} SET path = {_places("OLD.entity_id")} WHERE rowid = {_own("OLD.entity_id")};
END""",
    "trg_search_text_tag_added": f"""
CREATE TRIGGER trg_search_text_tag_added AFTER INSERT ON {LINK}
WHEN {_is_asset("NEW.entity_id")}
BEGIN
    INSERT INTO {INDEX} (rowid, tags)
        SELECT {_tag_row("NEW.entity_id", "c.entity_id")}, c.tag_name FROM {CONCEPT} c
        WHERE c.entity_id = NEW.tag_concept_entity_id;
END""",
    "trg_search_text_tag_removed": f"""
CREATE TRIGGER trg_search_text_tag_removed AFTER DELETE ON {LINK}
BEGIN
    DELETE FROM {INDEX} WHERE rowid = {_tag_row("OLD.entity_id", "OLD.tag_concept_entity_id")};
END""",
    "trg_search_text_tag_renamed": f"""
CREATE TRIGGER trg_search_text_tag_renamed AFTER UPDATE OF tag_name ON {CONCEPT}
BEGIN
    UPDATE {INDEX} SET tags = NEW.tag_name WHERE rowid IN
        (SELECT {_tag_row("t.entity_id", "NEW.entity_id")} FROM {LINK} t
         WHERE t.tag_concept_entity_id = NEW.entity_id);
END""",
}


def _create_index_table() -> None:
    if dialect_of(op) == "sqlite":
        # Words fold case and accents; `prefix` keeps the short prefixes a person types first
        # (`st`, `sto`) from scanning every term that starts with them.
        op.execute(
            f"CREATE VIRTUAL TABLE {INDEX} USING fts5(name, path, tags,"
            " tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
        )
        return
    # PostgreSQL: the same rows in a plain table, each column under a trigram index (pg_trgm),
    # which answers the ILIKE '%word%' the search compiles to there.
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")  # the MATCH counterpart folds accents
    op.execute(f"CREATE TABLE {INDEX} (rowid bigint PRIMARY KEY, name text, path text, tags text)")
    for column in ("name", "path", "tags"):
        op.execute(f"CREATE INDEX ix_{INDEX}_{column} ON {INDEX} USING gin ({column} gin_trgm_ops)")


def upgrade() -> None:
    _create_index_table()
    execute(
        op,
        f"INSERT INTO {INDEX} (rowid, name, path) SELECT {_own('fp.entity_id')}, fp.original_filename,"
        f" {_places('fp.entity_id')} FROM component_file_properties fp",
    )
    execute(
        op,
        f"INSERT INTO {INDEX} (rowid, tags) SELECT {_tag_row('t.entity_id', 'c.entity_id')}, c.tag_name"
        f" FROM {LINK} t CROSS JOIN {CONCEPT} c WHERE c.entity_id = t.tag_concept_entity_id"
        f" AND {_is_asset('t.entity_id')}",
    )
    for sql in TRIGGERS.values():
        create_trigger(op, sql)
    # Text embeddings made before the embedded text left camera counters out are made again.
    op.execute(
        sql_for(
            f"INSERT OR IGNORE INTO {MARKER} (entity_id, attempts)"
            f" SELECT DISTINCT entity_id, 0 FROM {TEXT_EMBEDDINGS} WHERE source_field_name NOT LIKE '%@v2'",
            dialect_of(op),
        )
    )


def downgrade() -> None:
    for sql in TRIGGERS.values():
        drop_trigger(op, sql)
    op.execute(f"DROP TABLE IF EXISTS {INDEX}")
