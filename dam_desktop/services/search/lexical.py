"""The lexical ranking of a sentence: assets whose name, locations or tags hold its words (BM25
over the full-text index), and the assets whose file name is exactly what was typed.

Hybrid search (`semantic.semantic_search`) fuses this ranking with the embedding models' ones.
Words are prefixes (`cat` finds `cats`), and a plural's singular is asked for too (`storms` finds
`storm`); words that say nothing about an asset (`a`, `of`, `the`) are left out, so a sentence
that shares no word with an asset's text finds nothing here rather than noise.

BM25 weighs a word more when few assets have it and when the field is short. The columns weigh
name 3, path 1, tags 2: a folder name is shared by everything in it, so it tells assets apart less
than their own names and tags do. Each hit also says what share of the sentence's words it holds
(`coverage`): hybrid search counts a hit that holds one word of four as weak evidence, which is
what kept incidental words ("dark", "off") from pushing the models' answers down on the labelled
set of `scripts/search_eval.py`.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.sql_dialect import POSTGRESQL, dialect_name
from dam_desktop.services.search import lexical_postgres
from dam_desktop.services.search.text_index import (
    INDEX,
    NAME,
    PATH,
    SHIFT,
    TAGS,
    column_match,
    entity_of,
    fold,
    phrase,
    words,
)

COLUMN_WEIGHTS = (3.0, 1.0, 2.0)  # name, path, tags, in the index's column order
STOP_WORDS = frozenset(
    {
        *("a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "into"),
        *("is", "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "were"),
        *("with", "without"),
    }
)


@dataclass(frozen=True)
class LexicalHit:
    entity_id: int
    score: float  # -BM25: higher is better (1.0 for an exact name)
    filename: str
    asset_type: str
    coverage: float = 1.0  # the share of the sentence's meaningful words the asset's text holds


def _variants(word: str) -> list[str]:
    folded = fold(word)
    out = [folded]
    if len(folded) > 3 and folded.endswith("s") and not folded.endswith("ss"):
        # boxes, dishes, buses lose "es"; games, clouds lose "s"
        sibilant = folded.endswith(("xes", "zes", "ches", "shes", "sses"))
        out.append(folded[:-2] if sibilant else folded[:-1])
    return out


def meaningful_words(sentence: str) -> list[list[str]]:
    """Each meaningful word of the sentence (stop words left out, once each) with its singular."""
    seen = dict.fromkeys(fold(w) for w in words(sentence) if fold(w) not in STOP_WORDS)
    return [_variants(w) for w in seen]


def sentence_match(sentence: str) -> str | None:
    """Any of the sentence's meaningful words (or their singulars), each a prefix, in any column."""
    unique = list(dict.fromkeys(v for group in meaningful_words(sentence) for v in group))
    if not unique:
        return None
    return column_match((NAME, PATH, TAGS), " OR ".join(phrase([w], prefix=True) for w in unique))


def coverage(groups: list[list[str]], *texts: str) -> float:
    """The share of the word groups with a variant that starts a word of `texts` (as the index matches)."""
    if not groups:
        return 0.0
    held = {fold(w) for t in texts for w in words(t)}
    found = sum(any(h.startswith(v) for v in group for h in held) for group in groups)
    return found / len(groups)


_ASSET = (
    "CROSS JOIN component_file_properties fp WHERE fp.entity_id = {e}"
    " AND NOT EXISTS (SELECT 1 FROM component_trashed t WHERE t.entity_id = fp.entity_id)"
)


def _allowed(hits: list[LexicalHit], allowed: Collection[int] | None) -> list[LexicalHit]:
    if allowed is None:
        return hits
    keep = set(allowed)
    return [h for h in hits if h.entity_id in keep]


async def _texts(session: AsyncSession, entity_ids: list[int]) -> dict[int, list[str]]:
    """Every text of each asset in the index: its name, locations and tags."""
    rows = (
        await session.execute(
            text(
                f"SELECT {entity_of('d.rowid')}, d.name, d.path, d.tags FROM json_each(:ids) j"
                f" CROSS JOIN {INDEX} d WHERE d.rowid BETWEEN (j.value << {SHIFT})"
                f" AND (j.value << {SHIFT}) + {(1 << SHIFT) - 1}"
            ),
            {"ids": json.dumps(entity_ids)},
        )
    ).all()
    out: dict[int, list[str]] = {}
    for r in rows:
        out.setdefault(int(r[0]), []).extend(str(t) for t in r[1:4] if t)
    return out


async def exact_name_matches(
    session: AsyncSession, sentence: str, *, allowed_entity_ids: Collection[int] | None = None
) -> list[LexicalHit]:
    """Assets whose file name, or its stem, is the sentence (case and accents aside), newest first."""
    runs = words(sentence)
    target = fold(sentence.strip())
    if not runs or not target:
        return []
    if dialect_name(session) == POSTGRESQL:
        named = await lexical_postgres.names_starting(session, sentence.strip())
        return _allowed(_exact(named, target), allowed_entity_ids)
    rows = (
        await session.execute(
            text(
                f"SELECT fp.entity_id, fp.original_filename, fp.asset_type FROM {INDEX} d"
                f" {_ASSET.format(e=entity_of('d.rowid'))} AND d.{INDEX} MATCH :m"
                " ORDER BY d.rowid DESC LIMIT 200"
            ),
            {"m": column_match((NAME,), "^ " + phrase(runs, prefix=False))},
        )
    ).all()
    return _allowed(_exact([(int(r[0]), str(r[1]), str(r[2])) for r in rows], target), allowed_entity_ids)


def _exact(rows: list[tuple[int, str, str]], target: str) -> list[LexicalHit]:
    """The rows whose file name, or its stem, is `target` (folded)."""
    return [
        LexicalHit(e, 1.0, name, kind)
        for e, name, kind in rows
        if target in (fold(name), fold(PurePath(name).stem))
    ]


async def _ranked_sqlite(session: AsyncSession, match: str, depth: int) -> list[tuple[int, float, str, str]]:
    """FTS5's own BM25, the `depth` best assets. An asset has a row for its name and one per tag:
    its score is its best row's."""
    weights = ", ".join(str(w) for w in COLUMN_WEIGHTS)
    rows = (
        await session.execute(
            text(
                f"WITH scored AS MATERIALIZED (SELECT {entity_of('rowid')} AS e,"
                f" -bm25({INDEX}, {weights}) AS s FROM {INDEX} WHERE {INDEX} MATCH :m)"
                " SELECT b.e, b.s, fp.original_filename, fp.asset_type"
                " FROM (SELECT e, max(s) AS s FROM scored GROUP BY e) b"
                f" {_ASSET.format(e='b.e')} ORDER BY b.s DESC LIMIT :k"
            ),
            {"m": match, "k": depth},
        )
    ).all()
    return [(int(r[0]), float(r[1]), str(r[2]), str(r[3])) for r in rows]


async def rank_by_words(
    session: AsyncSession,
    sentence: str,
    *,
    limit: int = 50,
    allowed_entity_ids: Collection[int] | None = None,
    exact: list[LexicalHit] | None = None,
) -> list[LexicalHit]:
    """Assets holding the sentence's words, best BM25 first; exact name matches ahead of them
    (`exact`, when the caller has read them already)."""
    if exact is None:
        exact = await exact_name_matches(session, sentence, allowed_entity_ids=allowed_entity_ids)
    match = sentence_match(sentence)
    ranked: list[LexicalHit] = []
    if match is not None:
        # Narrowed by a tag query, the best `limit` allowed ones may lie deeper: read further.
        depth = (limit if allowed_entity_ids is None else max(limit * 20, 1000)) + len(exact)
        groups = meaningful_words(sentence)
        if dialect_name(session) == POSTGRESQL:
            variants = list(dict.fromkeys(v for group in groups for v in group))
            found = await lexical_postgres.rank(
                session, variants, depth, want=limit + len(exact), allowed=allowed_entity_ids
            )
            ranked = [
                LexicalHit(h.entity_id, h.score, h.filename, h.asset_type, coverage(groups, *h.texts))
                for h in found
            ]
        else:
            rows = await _ranked_sqlite(session, match, depth)
            texts = await _texts(session, [r[0] for r in rows])
            hits = [LexicalHit(*r, coverage(groups, *texts.get(r[0], []))) for r in rows]
            ranked = _allowed(hits, allowed_entity_ids)
    first = {h.entity_id for h in exact}
    return [*exact, *(h for h in ranked if h.entity_id not in first)][:limit]
