"""The text index's MATCH on PostgreSQL, where there is no FTS5.

The compiler writes `search_asset_text MATCH :p` with an FTS5 expression in `:p`, and only the
few forms `text_index` makes: `{columns} : (phrase [AND|OR phrase]...)`, each phrase a quoted run
of words, `*` after it for a prefix. Here each such MATCH becomes a regular expression test per
column over the same rows (PostgreSQL's table of them, migration 0016): the phrase's words in
order at word boundaries, the last a prefix when starred, case and accents folded on both sides
(`unaccent`, `lower`). The result is the same set of rows. It scans the index table rather than
walking an inverted index (the trigram indexes serve plain ILIKE, not this): correct, and slower
than FTS5 on a large library; see the README's benchmark table.
"""

from __future__ import annotations

import re
from typing import Any

from dam_desktop.services.search.text_index import INDEX, fold

_MATCH = re.compile(rf"(?:(\w+)\.)?{INDEX} MATCH :(\w+)")
_COLUMNS = re.compile(r"^\{([^}]*)\} : \((.*)\)$", re.DOTALL)
_PHRASE = re.compile(r'"((?:[^"]|"")*)"(\*?)')
ALL_COLUMNS = ("name", "path", "tags")
_BOUNDARY = "[^[:alnum:]]"


def translate(sql: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """`sql` with every MATCH of the text index replaced by its PostgreSQL condition."""
    if f"{INDEX} MATCH" not in sql:
        return sql, params
    params = dict(params)

    def replace(match: re.Match[str]) -> str:
        alias, name = match.group(1), match.group(2)
        return condition(f"{alias}." if alias else "", name, str(params[name]), params)

    return _MATCH.sub(replace, sql), params


def condition(prefix: str, name: str, expression: str, params: dict[str, Any]) -> str:
    """SQL for `expression` over the row's columns (`prefix` their table alias and dot); the
    regular expressions it needs are added to `params` as `<name>_<n>`."""
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
        tests = [f"lower(unaccent(coalesce({prefix}{column}, ''))) ~ :{key}" for column in columns]
        parts.append("(" + " OR ".join(tests) + ")")
    return "(" + joiner.join(parts) + ")" if parts else "FALSE"
