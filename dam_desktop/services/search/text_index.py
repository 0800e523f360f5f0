"""The full-text index of asset names, locations and tags, and how query words become its queries.

`search_asset_text` is an SQLite FTS5 table (migration 0014) with columns `name` (the original
file name), `path` (every location a person knows the file by, one a line) and `tags` (a manual
tag's name). Each asset has its own row (name and path; rowid = entity id << 31) and one row per
manual tag (tags; rowid = (entity id << 31) + tag id): in rowid order an asset's rows sit together
and assets come in date-added order, and tagging writes one small row (see the migration for the
measured reason). `ENTITY` gives a row's entity id. Triggers keep the rows in step.
Its `unicode61 remove_diacritics 2` tokenizer splits on anything that is not a letter or digit and
folds case and accents, both in the index and in a query, so `ete` finds `Été_2024.png`.

A word a person types becomes a phrase of its letter-and-digit runs whose last run is a prefix:
`stor` -> `"stor"*` finds `Storm.jpg` and `big_storm.png`; `IMG_21` -> `"img 21"*`. Measured on
the 1M-asset benchmark library (`benchmarks/tag_bench.py`): the first page of such a word reads a
few hundred index entries instead of every name.

Globs (`name:IMG_2*`) are checked against the name itself with `GLOB`, each letter written as a
class of its cases and accented forms (`[iIìíîïÌÍÎÏ...]`), so they fold the same way without an
application function in SQL; the index narrows them first where the glob has a whole word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

INDEX = "search_asset_text"
NAME, PATH, TAGS = "name", "path", "tags"
SHIFT = 31


def entity_of(rowid: str) -> str:
    """SQL for the entity id of an index row whose rowid is the expression `rowid`."""
    return f"({rowid} >> {SHIFT})"


def own_row(entity: str) -> str:
    """SQL for the rowid of the asset's own row (name and path). The id is made 64-bit first:
    PostgreSQL binds a small id as a 16- or 32-bit integer, whose shift by 31 wraps (to 0 or a
    negative number, so a page "after" an asset started from the first row again)."""
    return f"(CAST({entity} AS BIGINT) << {SHIFT})"


# The tokenizer's idea of a word: letters and digits (unicode61 also keeps marks inside words).
_RUN = re.compile(r"[^\W_]+")
# Latin letters with accents live in these blocks (Latin-1 Supplement, Extended-A and -B).
_ACCENTED = range(0x00C0, 0x0250)


def words(text: str) -> list[str]:
    """The runs of letters and digits in `text`, as the index splits it."""
    return _RUN.findall(text)


def fold(text: str) -> str:
    """Case and accents removed (`Été` -> `ete`), as the index compares words."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def phrase(runs: list[str], *, prefix: bool) -> str:
    """An FTS5 phrase of these runs, in order; with `prefix`, its last one is a prefix."""
    return _quote(" ".join(runs)) + ("*" if prefix else "")


def column_match(columns: tuple[str, ...], expression: str) -> str:
    """`expression` restricted to `columns` (`{name tags} : ...`)."""
    return "{" + " ".join(columns) + "} : (" + expression + ")"


def word_match(columns: tuple[str, ...], word: str, *, prefix: bool = True) -> str | None:
    """The MATCH text for a typed word, or None when it holds no letter or digit."""
    runs = words(word)
    return column_match(columns, phrase(runs, prefix=prefix)) if runs else None


def any_word_match(columns: tuple[str, ...], text: str) -> str | None:
    """Rows holding any word of `text` (each a prefix): the lexical ranking's question."""
    runs = list(dict.fromkeys(fold(w) for w in words(text)))
    if not runs:
        return None
    return column_match(columns, " OR ".join(_quote(r) + "*" for r in runs))


@dataclass(frozen=True)
class GlobParts:
    """A glob's whole words (prefixes where a wildcard follows): what the index can narrow by."""

    exact: tuple[str, ...]
    prefixes: tuple[str, ...]

    def match(self, *columns: str) -> str | None:
        parts = [_quote(w) for w in self.exact] + [_quote(w) + "*" for w in self.prefixes]
        return column_match(columns, " AND ".join(parts)) if parts else None


def glob_parts(pattern: str) -> GlobParts:
    """The runs of letters and digits of `pattern` that the index can find: a run right after a
    wildcard may be the end of a longer word (`*storm` matches `bigstorm`), so it is left out; a run
    right before one is a prefix."""
    exact: list[str] = []
    prefixes: list[str] = []
    for m in _RUN.finditer(pattern):
        before = pattern[m.start() - 1] if m.start() > 0 else ""
        after = pattern[m.end()] if m.end() < len(pattern) else ""
        if before and before in "*?":
            continue
        if after and after in "*?":
            prefixes.append(m.group())
        else:
            exact.append(m.group())
    return GlobParts(tuple(exact), tuple(prefixes))


@cache
def _variants() -> dict[str, str]:
    """Base letter -> every character that folds to it (cases and accented forms)."""
    table: dict[str, set[str]] = {}
    for code in [*range(ord("A"), ord("Z") + 1), *range(ord("a"), ord("z") + 1), *_ACCENTED]:
        ch = chr(code)
        base = fold(ch)
        if len(base) == 1 and base.isalpha():
            table.setdefault(base, set()).update({ch, base, base.upper()})
    return {base: "".join(sorted(chars)) for base, chars in table.items()}


def _glob_literal(ch: str) -> str:
    if ch in "*?[":
        return f"[{ch}]"
    base = fold(ch)
    variants = _variants().get(base) if len(base) == 1 else None
    return f"[{variants}]" if variants and len(variants) > 1 else ch


def folded_glob(pattern: str, *, wildcards: bool = True) -> str:
    """A GLOB pattern matching what `pattern` matches, whatever the case and accents.

    `*` and `?` stay wildcards when `wildcards` (a quoted value takes them literally); `/` and `\\`
    both match either separator, so a path typed the Unix way finds a Windows location.
    """
    out: list[str] = []
    for ch in pattern:
        if wildcards and ch in "*?":
            out.append(ch)
        elif ch in "/\\":
            out.append("[/\\]")
        else:
            out.append(_glob_literal(ch))
    return "".join(out)
