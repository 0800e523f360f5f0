"""The text index's MATCH on PostgreSQL answered by the word table (`core.text_words`), where the
expression is one typed word or a `name:` glob with a literal start: `text_match_postgres` looks
here first.

One word (one run of letters and digits) is answered by the table alone: a whole word by its term,
a three-letter prefix by its `^` term (both in entity order, so a first page stops early and a
count reads only the index), a longer prefix by the range of words that start with it (exact but
unordered: a page sorts them, which a longer prefix's rarity makes cheap). A `name:` glob reads the
range of whole names (`=` terms) that start with its letters before the first wildcard and checks
the glob on each term, still in the index (`name:IMG_4*`); a quoted name is one `=` term. Phrases
of several words, globs that start with a wildcard, prefixes of one or two letters, `path` and OR
stay with the trigram index: taking candidates from one of their words and checking each costs
more where that word is common (`name:IMG_01*` checked 333k `img` rows, 3.6 s, at 1M assets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dam_desktop.core.text_words import NAME_MARK, NAME_TERM, OWN_ROW_MASK, PREFIX, PREFIX_MARK, TEXT
from dam_desktop.services.search.text_index import fold

_COLUMNS = re.compile(r"^\{([^}]*)\} : \((.*)\)$", re.DOTALL)
_PHRASE = re.compile(r'"((?:[^"]|"")*)"(\*?)')
_WORDY = frozenset({"name", "tags"})
# Which rows hold a column: an asset's own row has its name, a tag's row the tag.
_ROWS = {
    frozenset({"name"}): f" AND {{a}}.rowid & {OWN_ROW_MASK} = 0",
    frozenset({"tags"}): f" AND {{a}}.rowid & {OWN_ROW_MASK} <> 0",
}
# `text_match_postgres.glob_expression`'s mark: `glob <column> <* or => <pattern>`.
GLOB = "glob"


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


@dataclass(frozen=True)
class Lookup:
    """A folded word (or a prefix of `PREFIX` letters or more) in these columns; or, with `glob`
    set, the whole names that start with `run` (or are `run`) and match that regular expression
    (when it is not empty)."""

    run: str
    prefix: bool
    columns: frozenset[str]
    glob: str | None = None

    @property
    def ordered(self) -> bool:
        """Whether the rows come from one term, so in entity order."""
        return not self.prefix or (self.glob is None and len(self.run) == PREFIX)

    def where(self, alias: str, name: str, params: dict[str, Any]) -> str:
        """SQL over the word table's alias `alias`; its values are added to `params` as `<name>_*`."""
        mark = NAME_MARK if self.glob is not None else ""
        if self.ordered:
            params[f"{name}_w"] = PREFIX_MARK + self.run if self.prefix else mark + self.run
            test = f"{alias}.term = :{name}_w"
        else:
            # Byte order (the column's "C" collation) is code point order: the next code point ends it.
            params[f"{name}_lo"] = mark + self.run
            params[f"{name}_hi"] = mark + self.run[:-1] + chr(ord(self.run[-1]) + 1)
            test = f"{alias}.term >= :{name}_lo AND {alias}.term < :{name}_hi"
        if self.glob:
            params[f"{name}_g"] = self.glob
            # A name longer than the term keeps has its text checked instead.
            test += (
                f" AND CASE WHEN length({alias}.term) <= {NAME_TERM} THEN substr({alias}.term, 2) ~ :{name}_g"
                f" ELSE (SELECT dam_fold(s.name) FROM {TEXT} s WHERE s.rowid = {alias}.rowid) ~ :{name}_g END"
            )
        if self.glob is not None:
            return test  # only assets' own rows have `=` terms
        return test + _ROWS.get(self.columns, "").format(a=alias)


def _glob_lookup(expression: str) -> Lookup | None:
    _, column, mode, pattern = expression.split(" ", 3)
    wildcards = mode == "*"
    start = re.split(r"[*?/\\]" if wildcards else r"[/\\]", pattern, maxsplit=1)[0]
    literal = "".join(fold(ch) for ch in start)
    whole = start == pattern
    if column != "name" or not literal or len(literal) >= NAME_TERM - 1:
        return None
    # The range of names that start with the letters is the answer itself for `IMG_4*`; a glob
    # with more after its first wildcard is checked on each name (`glob` its regular expression).
    started = wildcards and pattern == start + "*"
    regex = "" if whole or started else folded_glob_regex(pattern, wildcards=wildcards)
    return Lookup(literal, not whole, frozenset({"name"}), glob=regex)


def lookup(expression: str) -> Lookup | None:
    """The lookup that answers a text index expression alone, or None where there is none."""
    if expression.startswith(GLOB + " "):
        return _glob_lookup(expression)
    found = _COLUMNS.match(expression.strip())
    if found is None:
        return None
    columns = frozenset(found.group(1).split())
    phrases = _PHRASE.findall(found.group(2))
    if not columns <= _WORDY or len(phrases) != 1 or _PHRASE.sub("", found.group(2)).strip():
        return None
    words, star = phrases[0]
    runs = fold(words.replace('""', '"')).split()
    if len(runs) != 1 or (star and len(runs[0]) < PREFIX):
        return None
    return Lookup(runs[0], bool(star), columns)
