"""Autocomplete for the search box: tags (with namespaces and use counts) and the query terms.

The box asks for the word under the cursor (`word_at`) and replaces that span with a suggestion's
`text`, which is already written as the query language needs it (`"big cat"`, `character:alice`,
`name:`). Terms come from the term registry, so a term another room registers is offered too; the
hints and values people pick from are data (`TERM_HINTS`, `TERM_VALUES`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.sql_dialect import glob_operator, glob_pattern
from dam_desktop.services.search.tag_query.to_sql import TERM_HANDLERS
from dam_desktop.services.search.text_index import fold
from dam_desktop.services.tags import tag_service
from dam_desktop.services.tags.tag_service import CONCEPT

TAG, NAMESPACE, TERM = "tag", "namespace", "term"

TERM_HINTS: dict[str, str] = {
    "name:": "file name: a word (name:storm) or a glob (name:IMG_2*)",
    "path:": "a folder the file is in (path:/home/me/Pictures, path:Pictures/2024)",
    "ext:": "file extension (ext:png)",
    "type:": "image, audio or other",
    "width:": "pixels (width:>1000)",
    "height:": "pixels (height:<=600)",
    "duration:": "seconds (duration:>2.5, duration:<1min)",
    "size:": "file size (size:>10MB)",
    "added:": "date added (added:>2026-01, added:2025)",
    "model:": "a tag a model proposed (model:cat)",
    "has:": "has:tags, has:model-tags, ...",
    "untagged": "assets without manual tags",
}
TERM_VALUES: dict[str, tuple[str, ...]] = {"type:": ("image", "audio", "video", "document", "font", "other")}

# Where a word of the query starts: after a space, a bracket, `|`, or a leading `-`.
_WORD_START = re.compile(r"[^\s()|]*$")
_PLAIN = re.compile(r"^[^\s()|\"*:-][^\s()|\"*]*$")


@dataclass(frozen=True)
class Suggestion:
    """One line of the autocomplete list."""

    text: str  # what replaces the word being typed, written as a query term
    kind: str  # TAG, NAMESPACE or TERM
    detail: str  # one line for people: "12 assets", "file extension (ext:png)"
    count: int | None = None  # a tag's use count (non-trashed assets carrying it)


@dataclass(frozen=True)
class WordSpan:
    """The word under the cursor: `query[start:end] == word` (a leading `-` left outside it)."""

    start: int
    end: int
    word: str


def word_at(query: str, cursor: int) -> WordSpan:
    cursor = max(0, min(cursor, len(query)))
    typed = _WORD_START.search(query[:cursor])
    start = cursor - (len(typed.group()) if typed else 0)
    while start < cursor and query[start] == "-":
        start += 1
    end = cursor
    while end < len(query) and not query[end].isspace() and query[end] not in "()|":
        end += 1
    return WordSpan(start, end, query[start:end])


def term_for_tag(name: str) -> str:
    """The query term that finds exactly this tag (quoted when it needs to be: spaces, operators,
    or a name a registered term would take, like `type:image` or `untagged`)."""
    key, colon, value = name.partition(":")
    registered = (
        f"{key}:" in TERM_HANDLERS or f"{key}:{value}" in TERM_HANDLERS if colon else name in TERM_HANDLERS
    )
    if _PLAIN.match(name) and not registered:
        return name
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if colon and f"{key}:" not in TERM_HANDLERS and _PLAIN.match(key + ":x"):
        return f"{key}:{quoted}"
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _assets(count: int) -> str:
    return f"{count:,} asset" + ("" if count == 1 else "s")


def term_suggestions(word: str) -> list[Suggestion]:
    """Registered terms (and the values of those that have a fixed set) that start with `word`."""
    w = fold(word)
    key, colon, value = w.partition(":")
    if colon and f"{key}:" in TERM_VALUES:
        hint = TERM_HINTS.get(f"{key}:", "")
        return [Suggestion(f"{key}:{v}", TERM, hint) for v in TERM_VALUES[f"{key}:"] if v.startswith(value)]
    names = sorted(n for n in TERM_HANDLERS if n.startswith(w) and n != "has:")
    return [Suggestion(n, TERM, TERM_HINTS.get(n, TERM_HINTS.get(n.split(":")[0] + ":", ""))) for n in names]


async def namespace_suggestions(session: AsyncSession, word: str, limit: int) -> list[Suggestion]:
    """Tag namespaces starting with `word`, the most used first."""
    if ":" in word:
        return []
    rows = (
        await session.execute(
            text(
                f"SELECT namespace, count(*), sum(use_count) FROM {CONCEPT} WHERE namespace > ''"
                f" AND namespace {glob_operator(session)} :g"
                " GROUP BY namespace ORDER BY sum(use_count) DESC, namespace LIMIT :n"
            ),
            {"g": glob_pattern(session, re.sub(r"([*?\[])", r"[\1]", word.lower()) + "*"), "n": limit},
        )
    ).all()
    return [Suggestion(f"{r[0]}:", NAMESPACE, f"{int(r[1]):,} tags, {_assets(int(r[2] or 0))}") for r in rows]


async def suggest(session: AsyncSession, word: str, limit: int = 10) -> list[Suggestion]:
    """Suggestions for the word being typed: tags most used first, then namespaces, then terms.

    A word with a registered key (`name:`, `type:im`) gets only terms; an empty word gets the most
    used tags and every term.
    """
    key, colon, _ = word.partition(":")
    if colon and f"{key.lower()}:" in TERM_HANDLERS:
        return term_suggestions(word)[:limit]
    tags = await tag_service.autocomplete(session, word, limit)
    out = [Suggestion(term_for_tag(t.name), TAG, _assets(t.use_count), t.use_count) for t in tags]
    out += await namespace_suggestions(session, word, 5)
    out += term_suggestions(word)
    return out
