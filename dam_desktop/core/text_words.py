"""PostgreSQL's word table for the text index: each word of an asset's name and of its tags, with
the row of `search_asset_text` it is in, under a btree (migration 0029).

SQLite's FTS5 yields a word's rows in rowid order, that is the assets' date-added order, so the
first page of a word stops after a page of rows. pg_trgm's GIN index over the folded text returns
its matches unordered: a first page read and rechecked every match and sorted them (on the 1M-asset
benchmark library 460 ms for a three-letter prefix, against FTS5's 12 ms). Here a word's rows sit
together in entity order under the key `(term, entity_id, rowid)` (entity id = rowid >> 31, a
column so that PostgreSQL knows the order), so a page merges them with the assets newest first
and stops after a page.

A term is a folded word (`dam_fold`, split at anything that is not a letter or digit, as the
regular expressions of `text_match_postgres` see words), or `^` and the first three letters of a
word of three letters or more: the rows of a typed three-letter prefix in order, as FTS5's
`prefix = '3'` keeps them (`^` is no letter, so it never starts a word), or `=` and an asset's
whole folded name (`NAME_MARK`). Only `name` (an asset's own row) and `tags` (a tag's row) have
terms here; `path:` keeps the trigram index.
"""

from __future__ import annotations

WORDS = "search_asset_word"
TEXT = "search_asset_text"
PREFIX = 3
PREFIX_MARK = "^"
# A tag's row is (entity id << 31) + tag id; an asset's own row, entity id << 31.
OWN_ROW_MASK = (1 << 31) - 1

TABLE = (
    f'CREATE TABLE {WORDS} (term text COLLATE "C" NOT NULL, entity_id bigint NOT NULL, rowid bigint NOT NULL)'
)
KEY = f"ALTER TABLE {WORDS} ADD PRIMARY KEY (term, entity_id, rowid)"
# The planner's sample of terms: at the default 100 it guessed 1.2k rows for `^fuv` (12.9k on the
# 1M benchmark library) and hashed them all before a tag's page; with 1,000 it merges the two in
# order and stops after the page (91 -> 2 ms).
STATISTICS = f"ALTER TABLE {WORDS} ALTER COLUMN term SET STATISTICS 1000"

# `name:` reads only assets' own rows: most rows of a common word are tags' rows, which filtering
# would skip one by one (105k of 106k rows for `name:ben` on the 1M benchmark library).
NAMES_INDEX = f"CREATE INDEX ix_{WORDS}_names ON {WORDS} (term, entity_id) WHERE rowid & {OWN_ROW_MASK} = 0"

# The terms of a text: its folded words, and for each of three letters or more its prefix term.
TERMS_FUNCTION = (
    "CREATE OR REPLACE FUNCTION dam_text_terms(text) RETURNS SETOF text LANGUAGE sql IMMUTABLE"
    " STRICT PARALLEL SAFE AS $$ SELECT DISTINCT t FROM regexp_split_to_table(dam_fold($1),"
    " '[^[:alnum:]]+') w, LATERAL (VALUES (w), (CASE WHEN length(w) >= 3 THEN '^' || left(w, 3) END))"
    " v(t) WHERE w <> '' AND t IS NOT NULL $$"
)


# An asset's whole folded name is a term too, `=` and its first NAME_TERM characters (a btree
# key has a size limit): `name:` globs read the range of names that start with their letters.
NAME_MARK = "="
NAME_TERM = 200
ROW_TERMS_FUNCTION = (
    "CREATE OR REPLACE FUNCTION dam_row_terms(bigint, text, text) RETURNS SETOF text LANGUAGE sql"
    f" IMMUTABLE PARALLEL SAFE AS $$ SELECT dam_text_terms(CASE WHEN $1 & {OWN_ROW_MASK} = 0 THEN $2"
    f" ELSE $3 END) UNION ALL SELECT '{NAME_MARK}' || left(dam_fold($2), {NAME_TERM})"
    f" WHERE $1 & {OWN_ROW_MASK} = 0 AND $2 IS NOT NULL $$"
)


def row_terms(row: str) -> str:
    """SQL for the terms of the text index row `row` (an alias or NEW/OLD)."""
    return f"dam_row_terms({row}.rowid, {row}.name, {row}.tags)"


SYNC_FUNCTION = f"""CREATE OR REPLACE FUNCTION search_asset_word_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM {WORDS} WHERE term IN (SELECT {row_terms("OLD")})
            AND entity_id = OLD.rowid >> 31 AND rowid = OLD.rowid;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO {WORDS} (term, entity_id, rowid)
            SELECT t, NEW.rowid >> 31, NEW.rowid FROM {row_terms("NEW")} t;
    END IF;
    RETURN NULL;
END $$"""
SYNC_TRIGGER = (
    f"CREATE TRIGGER trg_search_asset_word AFTER INSERT OR DELETE OR UPDATE OF name, tags ON {TEXT}"
    " FOR EACH ROW EXECUTE FUNCTION search_asset_word_sync()"
)

# Every row's words again: after a bulk load that ran with the triggers off (a library copy).
REFILL = (
    f"TRUNCATE {WORDS}",
    f"INSERT INTO {WORDS} (term, entity_id, rowid) SELECT w, x.rowid >> 31, x.rowid FROM {TEXT} x"
    f" CROSS JOIN LATERAL {row_terms('x')} w",
)
