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
"""

from __future__ import annotations

import re
from typing import Any

from dam_desktop.services.search.text_index import INDEX, SHIFT, fold

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

    def probe(match: re.Match[str]) -> str:
        eid, name = match.group(1), match.group(2)
        if trigrams_narrow(str(params[name])):
            return match.group(0)
        # Nothing for the trigram index (a word of one or two letters): each asset's own rows are
        # probed by their keys instead, so a page walking the assets in order stops at its end.
        own = f"(CAST({eid} AS bigint) << {SHIFT})"
        return (
            f"EXISTS (SELECT 1 FROM {INDEX} s WHERE s.rowid BETWEEN {own} AND {own} + {(1 << SHIFT) - 1}"
            f" AND {condition('s.', name, str(params[name]), params)})"
        )

    sql = _SET_OF_ENTITIES.sub(probe, sql)

    def replace(match: re.Match[str]) -> str:
        alias, name = match.group(1), match.group(2)
        return condition(f"{alias}." if alias else "", name, str(params[name]), params)

    return _MATCH.sub(replace, sql), params


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
GLOB = "glob"


def glob_expression(column: str, pattern: str, *, wildcards: bool) -> str:
    """The text index expression for `pattern` over `column` (`*` and `?` wildcards or not)."""
    return f"{GLOB} {column} {'*' if wildcards else '='} {pattern}"


def folded_glob_regex(pattern: str, *, wildcards: bool) -> str:
    """An anchored regular expression over `dam_fold(column)` that matches what SQLite's
    `GLOB text_index.folded_glob(pattern)` matches: case and accents folded, `*` and `?`
    wildcards (when `wildcards`), `[` a plain character, `/` and `\\` either separator."""
    out = ["^"]
    for ch in pattern:
        if wildcards and ch == "*":
            out.append(".*")
        elif wildcards and ch == "?":
            out.append(".")
        elif ch in "/\\":
            out.append("[/\\\\]")
        else:
            out.append(re.escape(fold(ch)))
    return "".join(out) + "$"
