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
# Tag links whose words the words stage has still to write (migration 0037): an edit lists them,
# `DRAIN` writes their words and takes them off the list, a batch at a time.
PENDING = "search_tag_words_pending"
DRAIN = "SELECT dam_drain_tag_words(:batch)"
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


def _terms_of(rows: str) -> str:
    """SQL for (t, entity_id, rowid): each term of each of these text index rows. The terms are made
    once per distinct text: a bulk tag's 10k rows share one tag name (its terms 665 -> 15 ms), and
    the 6M tag rows of the 1M benchmark library 20k names."""
    own = f"rowid & {OWN_ROW_MASK} = 0"
    keyed = f"SELECT rowid, {own} AS own, CASE WHEN {own} THEN name ELSE tags END AS txt FROM {rows} s"
    texts = (
        f"SELECT u.own, u.txt, t FROM (SELECT DISTINCT own, txt FROM ({keyed}) k) u"
        " CROSS JOIN LATERAL dam_row_terms(CASE WHEN u.own THEN 0 ELSE 1 END, u.txt, u.txt) t"
    )
    return (
        f"SELECT x.t, r.rowid >> 31 AS entity_id, r.rowid FROM ({keyed}) r"
        f" JOIN ({texts}) x ON x.own = r.own AND x.txt = r.txt"
    )


# Statement triggers over the changed rows at once (transition tables): a bulk tag adds its
# 10k tag rows' words in one INSERT, where a row trigger ran a function and a statement per row
# (tagging 10k assets of the 1M benchmark library, load 5: 1.5-2.2 s, 2.9-4.9 s with row triggers,
# 1.0-1.7 s with none; untagging them 1.3 s, 0.14 s with none).
#
# Without JIT: blind to how few rows a transition table holds, the planner costed each statement
# in the millions and compiled it, 250-270 ms of a 10k-asset tag or untag (migration 0030).
_NO_JIT = " SET jit = off"
# The words to remove, found by key, one index probe each in key order: the planner, blind to how
# few keys there are, hashed all 23M words for them (17 s to untag 20k assets at 1M). Only this
# statement runs without hash joins: the keys themselves are made per distinct text by a hash join
# (a bulk untag's 10k rows share one tag name; a nested loop made each row's terms again, 360 ms).
# A term whose keys crowd its range of entities (a bulk edit of adjacent assets: each term of the
# tag over 10k consecutive assets) is read once along that range instead, each row checked against
# the keys, hashed: probing 60k keys one descent each took 206 ms of a 10k-asset untag at 1M, six
# range reads 6 ms each (auto_explain). EXECUTE plans with the keys as a constant, which PostgreSQL
# hashes; `+ 0` keeps them a filter on the range (as an index condition, one descent each again).
DENSE = 4  # a range read when its entities number fewer than this many per key
DENSE_MIN = 64  # fewer keys are probed, whatever their range
FORGET = (
    "CREATE OR REPLACE FUNCTION dam_forget_words(text[], bigint[]) RETURNS void LANGUAGE plpgsql"
    f" SET enable_hashjoin = off SET enable_mergejoin = off{_NO_JIT} AS $$\n"
    "DECLARE\n    dense record;\n    ranged text[] := '{}';\n    done bigint := 0;\nBEGIN\n"
    "    FOR dense IN SELECT t, min(r) >> 31 AS lo, max(r) >> 31 AS hi, array_agg(r) AS rs, count(*) AS n"
    f" FROM unnest($1, $2) k(t, r) GROUP BY t HAVING count(*) >= {DENSE_MIN}"
    f" AND (max(r) >> 31) - (min(r) >> 31) < {DENSE} * count(*) LOOP\n"
    f"        EXECUTE 'DELETE FROM {WORDS} WHERE term = $1 AND entity_id BETWEEN $2 AND $3"
    " AND rowid + 0 = ANY ($4)' USING dense.t, dense.lo, dense.hi, dense.rs;\n"
    "        ranged := ranged || dense.t;\n        done := done + dense.n;\n    END LOOP;\n"
    "    IF done < cardinality($1) THEN\n"
    f"        DELETE FROM {WORDS} w USING (SELECT t, r FROM unnest($1, $2) g(t, r) WHERE t <> ALL (ranged)"
    ' ORDER BY t COLLATE "C", r) g WHERE w.term = g.t AND w.entity_id = g.r >> 31 AND w.rowid = g.r;\n'
    "    END IF;\nEND $$"
)


def _forget(keys: str) -> str:
    """plpgsql removing the words of `keys`, a query of (t, rowid)."""
    return (
        f"SELECT array_agg(k.t), array_agg(k.rowid) INTO terms, rowids FROM ({keys}) k;\n"
        "    IF terms IS NOT NULL THEN PERFORM dam_forget_words(terms, rowids); END IF"
    )


def _keys(rows: str) -> str:
    return f"SELECT t, rowid FROM ({_terms_of(rows)}) a"


# A rename's few words go in in the key's order (terms sort bytewise, as the column does, not by
# the locale: 60 -> 10 ms for 60k keys). An insert's words go in as they come, grouped by term: a
# bulk tag's 60k words land on the few pages of each term's range either way, and sorting them
# first cost 45-57 ms of a 10k-asset tag's 600 (auto_explain, 1M benchmark library).
_IN_KEY_ORDER = 'ORDER BY t COLLATE "C", rowid'
_CHANGED = (
    "(SELECT {side}.rowid, {side}.name, {side}.tags FROM old_rows o JOIN new_rows n ON n.rowid = o.rowid"
    " WHERE n.name IS DISTINCT FROM o.name OR n.tags IS DISTINCT FROM o.tags)"
)
_WAS, _NOW = _CHANGED.format(side="o"), _CHANGED.format(side="n")
_ACTIONS = {
    "insert": (
        f"INSERT INTO {WORDS} (term, entity_id, rowid) {_terms_of('new_rows')}",
        "NEW TABLE AS new_rows",
    ),
    "delete": (_forget(_keys("old_rows")), "OLD TABLE AS old_rows"),
    # Only the words that changed: a renamed asset keeps its words that the new name has too.
    "update": (
        f"{_forget(f'{_keys(_WAS)} EXCEPT {_keys(_NOW)}')};\n"
        f"    INSERT INTO {WORDS} (term, entity_id, rowid) SELECT t, rowid >> 31, rowid FROM"
        f" ({_keys(_NOW)} EXCEPT {_keys(_WAS)}) a {_IN_KEY_ORDER}",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    ),
}
SYNC_FUNCTIONS = (
    FORGET,
    *(
        f"CREATE OR REPLACE FUNCTION search_asset_word_{event}() RETURNS trigger LANGUAGE plpgsql"
        f"{_NO_JIT} AS $$\nDECLARE\n    terms text[];\n    rowids bigint[];\n"
        f"BEGIN\n    {body};\n    RETURN NULL;\nEND $$"
        for event, (body, _tables) in _ACTIONS.items()
    ),
)
SYNC = (
    *SYNC_FUNCTIONS,
    *(
        f"CREATE TRIGGER trg_search_asset_word_{event} AFTER {event.upper()} ON {TEXT}"
        f" REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION search_asset_word_{event}()"
        for event, (_body, tables) in _ACTIONS.items()
    ),
)
UNSYNC = (
    *(
        statement
        for event in _ACTIONS
        for statement in (
            f"DROP TRIGGER IF EXISTS trg_search_asset_word_{event} ON {TEXT}",
            f"DROP FUNCTION IF EXISTS search_asset_word_{event}()",
        )
    ),
    "DROP FUNCTION IF EXISTS dam_forget_words(text[], bigint[])",
)

# Every row's words again: after a bulk load that ran with the triggers off (a library copy).
# (term, entity_id, rowid) of every row of the text index: what the word table held up to
# migration 0036 (whose tag rows it kept since).
ALL_TERMS = _terms_of(TEXT)
REFILL = (f"TRUNCATE {WORDS}", f"INSERT INTO {WORDS} (term, entity_id, rowid) {ALL_TERMS}")

# Since migration 0036 the text index holds the assets' own rows only, and the word table each
# tag link's words as well (the link triggers write them): (term, entity_id, rowid) of each
# link of an asset, rowid (asset << 31) + tag as the tag's row was.
LINK_TERMS = (
    "SELECT k.t, l.entity_id, l.entity_id::bigint * 2147483648 + l.tag_concept_entity_id"
    " FROM component_entity_tag_link l JOIN (SELECT c.entity_id AS tag, t FROM component_tag_concept c"
    " CROSS JOIN LATERAL dam_text_terms(c.tag_name) t) k ON k.tag = l.tag_concept_entity_id"
    " WHERE EXISTS (SELECT 1 FROM component_file_properties p WHERE p.entity_id = l.entity_id)"
)
REFILL_WITH_LINKS = (
    *REFILL,
    f"INSERT INTO {WORDS} (term, entity_id, rowid) {LINK_TERMS}",
    f"TRUNCATE {PENDING}",  # every link's words are written above
)
# What the word table holds, made afresh.
FRESH_TERMS = f"{ALL_TERMS} UNION ALL {LINK_TERMS}"
