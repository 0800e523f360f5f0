"""The text index's MATCH on PostgreSQL, where there is no FTS5.

The compiler writes `search_asset_text MATCH :p` with an FTS5 expression in `:p`, and only the
few forms `text_index` makes: `{columns} : (phrase [AND|OR phrase]...)`, each phrase a quoted run
of words, `*` after it for a prefix. Here each such MATCH becomes a regular expression test per
column over the same rows (PostgreSQL's table of them, migration 0016): the phrase's words in
order at word boundaries, the last a prefix when starred, case and accents folded on both sides
(`dam_fold`: `lower(unaccent(...))`). The result is the same set of rows.

Each column has a trigram index over `dam_fold(column)` (migration 0027), which pg_trgm uses for
these regular expressions when a word has three letters or more (`sto` finds its rows through
the trigram `sto`; the regular expression rechecks them). A word of one or two letters has no
trigram: a walk in the assets' order then probes each asset's own rows by key instead (a page of
a common prefix stops early; a rare one reads every asset). `name:` globs and quoted names come
here whole (`glob_expression`), which the index serves by the pattern's own characters.

One typed word and a `name:` glob with a literal start read the word table instead
(`text_words_postgres`, migration 0029), whose rows come in the assets' order, so a first page
stops after a page where the trigram index returned every match unordered to be sorted.
"""

from __future__ import annotations

import re
from typing import Any

from dam_desktop.core.text_words import WORDS
from dam_desktop.services.search import text_words_postgres
from dam_desktop.services.search.text_index import INDEX, SHIFT, fold
from dam_desktop.services.search.text_words_postgres import folded_glob_regex

_MATCH = re.compile(rf"(?:(\w+)\.)?{INDEX} MATCH :(\w+)")
# `to_sql`'s test of a text term on an asset in a walk: the set of entities the index matches.
_SET_OF_ENTITIES = re.compile(
    rf"([\w.]+) IN \(SELECT \(rowid >> {SHIFT}\) FROM {INDEX} WHERE {INDEX} MATCH :(\w+)\)"
)
# pg_trgm's trigrams: a word of three letters or more narrows the index, shorter ones do not.
TRIGRAM = 3
_COLUMNS = re.compile(r"^\{([^}]*)\} : \((.*)\)$", re.DOTALL)
_PHRASE = re.compile(r'"((?:[^"]|"")*)"(\*?)')
ALL_COLUMNS = ("name", "path", "tags")
_BOUNDARY = "[^[:alnum:]]"
# lower(unaccent(text)), IMMUTABLE: each column has a trigram index over it (migration 0027).
FOLD = "dam_fold"


def translate(sql: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """`sql` with every MATCH of the text index replaced by its PostgreSQL condition."""
    if f"{INDEX} MATCH" not in sql:
        return sql, params
    params = dict(params)
    paged = " LIMIT " in sql

    def probe(match: re.Match[str]) -> str:
        eid, name = match.group(1), match.group(2)
        found = text_words_postgres.lookup(str(params[name]))
        if found is not None and (found.ordered or not paged or "tags" in found.columns):
            # One word's rows in entity order: a page merges them with the assets newest first and
            # stops. A count reads every match anyway: once, into a hashed set. So does a page of
            # a longer prefix in the tags: only the word table has their words (migration 0036).
            where = found.where("w", name, params)
            return f"{eid} IN (SELECT w.entity_id FROM {WORDS} w WHERE {where})"
        if not paged and trigrams_narrow(str(params[name])):
            return match.group(0)
        # A page walking the assets in order probes each asset's own rows by key and stops at its
        # end, as SQLite probes its set: a set would read and recheck every match first. So does
        # a count of a word of one or two letters, which the trigram index cannot narrow.
        own = f"(CAST({eid} AS bigint) << {SHIFT})"
        rows = f"rowid BETWEEN {own} AND {own} + {(1 << SHIFT) - 1}"
        check = condition("s.", name, str(params[name]), params)
        return f"EXISTS (SELECT 1 FROM {INDEX} s WHERE s.{rows} AND {check})"

    sql = _from_words(_SET_OF_ENTITIES.sub(probe, sql), params)

    def replace(match: re.Match[str]) -> str:
        alias, name = match.group(1), match.group(2)
        return condition(f"{alias}." if alias else "", name, str(params[name]), params)

    return _MATCH.sub(replace, sql), params


def _from_words(sql: str, params: dict[str, Any]) -> str:
    """Each read of the text index's rows (`FROM search_asset_text [alias] ... [alias.]MATCH :p`)
    that only wants their rowids, and whose expression has a word to look up, made a read of the
    word table instead, whose rows come in the assets' order per term."""
    for match in list(_MATCH.finditer(sql)):
        alias, name = match.group(1), match.group(2)
        found = text_words_postgres.lookup(str(params[name]))
        source = f"FROM {INDEX} {alias}" if alias else f"FROM {INDEX} WHERE"
        if found is None or sql.count(source) != 1 or _reads_columns(sql, alias):
            continue
        where = found.where(alias or INDEX, name, params)
        if not alias:
            sql = sql.replace(source, f"FROM {WORDS} {INDEX} WHERE").replace(match.group(0), f"({where})")
            continue
        # The entity id as the column, which PostgreSQL knows the word's rows are in order of.
        sql = sql.replace(f"({alias}.rowid >> {SHIFT})", f"{alias}.entity_id")
        counted = re.match(rf"SELECT count\(DISTINCT {alias}\.entity_id\) (FROM .*)$", sql, re.DOTALL)
        if counted and found.ordered:
            # Distinct as they come in the index's order, where count(DISTINCT) sorts them first.
            rest = _without_asset_join(counted.group(1), alias)
            sql = f"SELECT count(*) FROM (SELECT DISTINCT {alias}.entity_id {rest}) c"
        # Date added: distinct assets in their ids' order, where ordering by max(rowid) sorted all.
        by_id = re.search(rf"GROUP BY ([\w.]+) ORDER BY (?:max|min)\({alias}\.rowid\) (DESC|ASC)", sql)
        if by_id:
            sql = sql.replace(
                by_id.group(0), f"GROUP BY {by_id.group(1)} ORDER BY {by_id.group(1)} {by_id.group(2)}"
            )
        if by_id and not found.ordered:
            # Several terms' rows (a range): sorted by asset first, in a subquery PostgreSQL keeps
            # whole, so the joins after it meet them in order and a page stops (a `name:IMG_23*`
            # page joined and sorted all 3,333 names first).
            order = f"{alias}.entity_id {by_id.group(2)}, {alias}.rowid {by_id.group(2)}"
            rows = f"(SELECT * FROM {WORDS} {alias} WHERE {where} ORDER BY {order}) {alias}"
            sql = sql.replace(source, f"FROM {rows}").replace(match.group(0), "TRUE")
        else:
            sql = sql.replace(source, f"FROM {WORDS} {alias}").replace(match.group(0), f"({where})")
    return sql


_ASSET_JOIN = " CROSS JOIN component_file_properties fp"


def _without_asset_join(rest: str, alias: str) -> str:
    """A count's FROM and WHERE without the join to the assets' table where it reads nothing but
    the entity id: the text index has rows for assets only (its triggers add and remove them with
    the asset's file properties), so the join only probed the table once per matching row
    (12.9k probes, most of a count of `fuv` on the 1M benchmark library)."""
    same = f" AND fp.entity_id = {alias}.entity_id"
    if rest.count(_ASSET_JOIN) != 1 or same not in rest or re.search(r"\bfp\.(?!entity_id\b)", rest):
        return rest
    return rest.replace(_ASSET_JOIN, "").replace(same, "").replace("fp.entity_id", f"{alias}.entity_id")


def _reads_columns(sql: str, alias: str | None) -> bool:
    """Whether the statement reads the text index's columns (a ranking reads the text itself)."""
    if alias is None:
        return re.search(r"\b(name|path|tags)\b", sql.split(" FROM ", 1)[0]) is not None
    return re.search(rf"\b{alias}\.(name|path|tags)\b", sql) is not None


def trigrams_narrow(expression: str) -> bool:
    """Whether the trigram indexes can narrow `expression`: a phrase has a run of letters and
    digits of three characters or more (every phrase, when any one of them may match)."""
    if expression.startswith(GLOB + " "):
        return True  # the pattern's own characters, whatever they are, are checked by the index
    found = _COLUMNS.match(expression.strip())
    body = found.group(2) if found else expression
    phrases = [fold(words.replace('""', '"')).split() for words, _star in _PHRASE.findall(body)]
    narrowing = [any(len(run) >= TRIGRAM for run in runs) for runs in phrases]
    either = " OR " in _PHRASE.sub("", body)
    return bool(phrases) and (all(narrowing) if either else any(narrowing))


def condition(prefix: str, name: str, expression: str, params: dict[str, Any]) -> str:
    """SQL for `expression` over the row's columns (`prefix` their table alias and dot); the
    regular expressions it needs are added to `params` as `<name>_<n>`."""
    if expression.startswith(GLOB + " "):
        _, column, mode, pattern = expression.split(" ", 3)
        params[f"{name}_0"] = folded_glob_regex(pattern, wildcards=mode == "*")
        return f"{FOLD}({prefix}{column}) ~ :{name}_0"
    found = _COLUMNS.match(expression.strip())
    columns = tuple(found.group(1).split()) if found else ALL_COLUMNS
    body = found.group(2) if found else expression
    joiner = " OR " if " OR " in _PHRASE.sub("", body) else " AND "
    parts = []
    for n, (words, star) in enumerate(_PHRASE.findall(body)):
        runs = fold(words.replace('""', '"')).split()
        if not runs:
            continue
        key = f"{name}_{n}"
        params[key] = (
            f"(^|{_BOUNDARY})"
            + f"{_BOUNDARY}+".join(re.escape(run) for run in runs)
            + ("" if star else f"({_BOUNDARY}|$)")
        )
        tests = [f"{FOLD}({prefix}{column}) ~ :{key}" for column in columns]
        parts.append("(" + " OR ".join(tests) + ")")
    return "(" + joiner.join(parts) + ")" if parts else "FALSE"


# A form of the index's expressions that only PostgreSQL is given (`glob_expression`): a glob over
# one column, which the trigram index serves whole (`IMG_4*` has the trigrams `img`, `mg_`, `g_4`),
# where FTS5 can only narrow by the glob's words.
GLOB = text_words_postgres.GLOB


def glob_expression(column: str, pattern: str, *, wildcards: bool) -> str:
    """The text index expression for `pattern` over `column` (`*` and `?` wildcards or not)."""
    return f"{GLOB} {column} {'*' if wildcards else '='} {pattern}"
