"""The lexical ranking on PostgreSQL, which has no FTS5: FTS5's BM25 computed from the word table
(migration 0029), the tag names and a sample of the text index.

FTS5 scores each row of the text index that holds a phrase (`lexical.sentence_match`: each word,
and each singular, a prefix) as

    sum over phrases i of  idf_i * f_i * (k1 + 1) / (f_i + k1 * (1 - b + b * D / avgdl))

with k1 = 1.2, b = 0.75, `f_i` the phrase's hits in the row weighed by their columns (name 3, path
1, tags 2), `D` the row's words, `avgdl` the index's mean row length, and idf_i = ln((N - n_i + 0.5)
/ (n_i + 0.5)) over the N rows, n_i of them holding the phrase. So does this module, from three
reads where FTS5 reads each row's hits and size:
- assets' own rows (name and locations) holding a phrase: the names through the word table, the
  locations through their trigram index (for words of three letters or more: a shorter one has no
  trigram, and a scan of every location costs seconds), with their text, scored here;
- tags holding a phrase, from the tag names (trigram index, migration 0032): every row of a tag
  has the same text, so the same score, so a tag is scored once, and n_i counts its uses
  (`use_count`) where FTS5 counted its rows; a tag's best assets are its newest, read in order
  from the link table's key, a page each, best tags first until the assets read outscore every
  tag left;
- N is the assets' count plus the tags' uses, kept by triggers already (migrations 0004, 0024),
  and avgdl the mean length of a sample of the assets' own rows and one of the tag links (every
  row of a smaller library), weighed by their numbers, so no statistics need triggers of their
  own: tagging in bulk costs what it did.
N and the tags' n_i count the assets not in the trash, where FTS5 counted every row. An asset's
score is its best row's; ties go to the newest asset.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.text_words import NAME_MARK, NAME_TERM, OWN_ROW_MASK, WORDS
from dam_desktop.services.search import lexical_reads_postgres as reads
from dam_desktop.services.search.text_index import fold, words
from dam_desktop.services.search.text_match_postgres import FOLD, TRIGRAM

K1, B = 1.2, 0.75
NAME_WEIGHT, PATH_WEIGHT, TAGS_WEIGHT = 3.0, 1.0, 2.0  # `lexical.COLUMN_WEIGHTS`


@dataclass(frozen=True)
class Ranked:
    """A hit: its best row's score, what it shows, and its texts that hold the words (its name,
    locations and the tags holding them), from which `lexical.coverage` counts the words held."""

    entity_id: int
    score: float
    filename: str
    asset_type: str
    texts: tuple[str, ...]


def idf(rows: float, holding: int) -> float:
    """FTS5's inverse document frequency, never below its floor of one millionth."""
    value = math.log((rows - holding + 0.5) / (holding + 0.5))
    return value if value > 0 else 1e-6


def bm25(freqs: Sequence[float], idfs: Sequence[float], length: int, avgdl: float) -> float:
    """-bm25 of a row: its phrases' weighed hits `freqs`, its `length` in words."""
    norm = K1 * (1 - B + B * length / avgdl)
    return sum(i * f * (K1 + 1) / (f + norm) for i, f in zip(idfs, freqs, strict=True) if f)


@dataclass(frozen=True)
class _Row:
    """A row's weighed hits per phrase and its length in words."""

    freqs: tuple[float, ...]
    length: int


def _row(variants: Sequence[str], columns: Sequence[tuple[float, str | None]]) -> _Row:
    freqs = [0.0] * len(variants)
    length = 0
    for weight, value in columns:
        tokens = words(fold(value or ""))
        length += len(tokens)
        for i, v in enumerate(variants):
            freqs[i] += weight * sum(t.startswith(v) for t in tokens)
    return _Row(tuple(freqs), length)


async def _tag_scores(
    session: AsyncSession, tags: list[tuple[float, int]], uses: dict[int, int], depth: int
) -> dict[int, float]:
    """Entity id -> its best tag's score, for the assets not in the trash that can rank among the
    `depth` best by a tag: `tags` (score, id) best first, each tag's newest `depth` assets (an
    older one is outranked by those, or tied and older), tags read until `depth` of the assets
    read outscore every tag left."""
    best: dict[int, float] = {}
    score = {t: s for s, t in tags}
    done, wanted = 0, depth
    while done < len(tags):
        batch: list[int] = []
        held = 0
        for _, tag in tags[done:]:
            if batch and held >= wanted:
                break
            batch.append(tag)
            held += uses[tag]
        for tag, entity in await reads.newest_tagged(session, batch, depth):
            best[entity] = max(best.get(entity, 0.0), score[tag])
        done += len(batch)
        if done < len(tags) and sum(s > tags[done][0] for s in best.values()) >= depth:
            break
        wanted *= 2
    return best


async def rank(
    session: AsyncSession,
    variants: Sequence[str],
    depth: int,
    *,
    want: int,
    allowed: Collection[int] | None = None,
) -> list[Ranked]:
    """The best `want` assets not in the trash (among `allowed`) for these phrases (prefixes),
    best first, from the `depth` best of each tag."""
    own, common = await reads.own_rows(session, variants, depth)
    read = await reads.tags_and_rows(session, variants)
    avgdl = await reads.mean_length(session, read)
    own_rows = {
        e: _row(variants, [(NAME_WEIGHT, name), (PATH_WEIGHT, path)]) for e, (name, path) in own.items()
    }
    tag_rows = {tag: _row(variants, [(TAGS_WEIGHT, name)]) for tag, name, _ in read.tags}
    holding = [
        common.get(i, sum(1 for r in own_rows.values() if r.freqs[i]))
        + sum(uses for tag, _, uses in read.tags if tag_rows[tag].freqs[i])
        for i in range(len(variants))
    ]
    idfs = [idf(read.rows, n) for n in holding]
    scored = {tag: bm25(r.freqs, idfs, r.length, avgdl) for tag, r in tag_rows.items() if any(r.freqs)}
    uses = {tag: n for tag, _, n in read.tags}
    by_tags = sorted(((s, t) for t, s in scored.items()), reverse=True)
    best = await _tag_scores(session, by_tags, uses, depth) if by_tags else {}
    # An own row's asset may be in the trash: `reads.shown` leaves those out.
    for e, r in own_rows.items():
        if any(r.freqs):
            best[e] = max(best.get(e, 0.0), bm25(r.freqs, idfs, r.length, avgdl))
    order = sorted(best, key=lambda e: (-best[e], -e))
    if allowed is not None:
        keep = set(allowed)
        order = [e for e in order if e in keep]
    names = {tag: name for tag, name, _ in read.tags}
    # Locations hold words the reads above did not look for: a common word's, a short word's.
    paths = bool(common) or any(len(v) < TRIGRAM for v in variants)
    out: list[Ranked] = []
    while order and len(out) < want:
        chunk, order = order[: want * 2], order[want * 2 :]
        found = await reads.shown(session, chunk, list(scored), paths=paths)
        for e in (e for e in chunk if e in found):
            hit = found[e]
            path = own[e][1] if e in own else hit.path
            texts = (hit.filename, *([path] if path else []), *(names[t] for t in hit.tags))
            out.append(Ranked(e, best[e], hit.filename, hit.asset_type, texts))
    return out[:want]


async def names_starting(session: AsyncSession, typed: str) -> list[tuple[int, str, str]]:
    """(entity id, file name, asset type) of the newest 200 assets not in the trash whose folded
    name is `typed` folded, or starts with it and a character before `/` (`.png`, `-2`): the range of
    the word table's whole names (`=` terms) that holds every exact name and every stem's."""
    rows = await session.execute(
        text(
            f"WITH k(t) AS (SELECT '{NAME_MARK}' || left({FOLD}(:typed), {NAME_TERM}))"
            " SELECT fp.entity_id, fp.original_filename, fp.asset_type"
            f" FROM k JOIN {WORDS} w ON w.term >= k.t AND w.term < k.t || '/'"
            " JOIN component_file_properties fp ON fp.entity_id = w.entity_id"
            f" WHERE w.rowid & {OWN_ROW_MASK} = 0 AND {reads.NOT_TRASHED.format(e='w.entity_id')}"
            " ORDER BY w.entity_id DESC LIMIT 200"
        ),
        {"typed": typed},
    )
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows.all()]
