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
  from the link table's key, a page each;
- N is the assets' count plus the tags' uses, kept by triggers already (migrations 0004, 0024),
  and avgdl the mean length of the index's newest rows (`SAMPLE_ROWS`; every row of a smaller
  library), so no statistics need triggers of their own: tagging in bulk costs what it did.
Both count the assets not in the trash, where FTS5 counted every row. An asset's score is its best
row's; ties go to the newest asset.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.text_words import NAME_MARK, NAME_TERM, OWN_ROW_MASK, PREFIX, PREFIX_MARK, WORDS
from dam_desktop.services.search.text_index import INDEX, SHIFT, fold, words
from dam_desktop.services.search.text_match_postgres import FOLD, TRIGRAM

K1, B = 1.2, 0.75
NAME_WEIGHT, PATH_WEIGHT, TAGS_WEIGHT = 3.0, 1.0, 2.0  # `lexical.COLUMN_WEIGHTS`
# Rows of the text index whose mean length stands for all rows': an asset's own row and about six
# tag rows each on the benchmark library (1.7 ms at 1M assets; every row of a library this small).
SAMPLE_ROWS = 2000
# A word more own rows than this hold is common: its rows are counted, not all read.
COMMON = 5000
NOT_TRASHED = "NOT EXISTS (SELECT 1 FROM component_trashed t WHERE t.entity_id = {e})"


@dataclass(frozen=True)
class Scored:
    """An asset's best row's score, with what a hit shows."""

    entity_id: int
    score: float
    filename: str
    asset_type: str


def _prefix_regex(variants: Sequence[str]) -> str:
    """A regular expression over folded text: a word that starts with one of `variants`."""
    return "(^|[^[:alnum:]])(" + "|".join(re.escape(v) for v in variants) + ")"


def _hits(tokens: list[str], variant: str) -> int:
    return sum(t.startswith(variant) for t in tokens)


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
    """A scored row's weighed hits per phrase and its length."""

    freqs: tuple[float, ...]
    length: int


def _row(variants: Sequence[str], columns: Sequence[tuple[float, str | None]]) -> _Row:
    freqs = [0.0] * len(variants)
    length = 0
    for weight, value in columns:
        tokens = words(fold(value or ""))
        length += len(tokens)
        for i, v in enumerate(variants):
            freqs[i] += weight * _hits(tokens, v)
    return _Row(tuple(freqs), length)


def _holding(variant: str, n: int, params: dict[str, object]) -> str:
    """SQL for the entity ids (column `e`) of the own rows whose name or locations hold a word that
    starts with `variant`; its values are added to `params` as `*<n>`."""
    if len(variant) == PREFIX:
        params[f"w{n}"] = PREFIX_MARK + variant
        test = f"w.term = :w{n}"
    else:
        params[f"w{n}"], params[f"h{n}"] = variant, variant[:-1] + chr(ord(variant[-1]) + 1)
        test = f"w.term >= :w{n} AND w.term < :h{n}"
    names = f"SELECT w.entity_id AS e FROM {WORDS} w WHERE {test} AND w.rowid & {OWN_ROW_MASK} = 0"
    if len(variant) < TRIGRAM:
        return names
    params[f"p{n}"] = _prefix_regex([variant])
    return f"{names} UNION ALL SELECT rowid >> {SHIFT} FROM {INDEX} WHERE {FOLD}(path) ~ :p{n}"


async def _own_rows(
    session: AsyncSession, variants: Sequence[str], depth: int
) -> tuple[dict[int, tuple[str, str | None]], dict[int, int]]:
    """Entity id -> (name, locations) of the assets whose name or locations hold a word that starts
    with one of `variants`, and the number of own rows holding each variant that more than `COMMON`
    do (the others' are counted from these rows).

    Such a common word's rows are not all read: an asset holding only common words is looked for
    among the newest `depth` holding each (`png` is in 800k names of the benchmark library)."""
    params: dict[str, object] = {}
    probes = " UNION ALL ".join(
        f"(SELECT {n} AS i, x.e FROM ({_holding(v, n, params)}) x LIMIT {COMMON + 1})"
        for n, v in enumerate(variants)
    )
    with_text = f" JOIN {INDEX} s ON s.rowid = CAST(x.e AS bigint) << {SHIFT}"
    rows = (
        await session.execute(text(f"SELECT x.i, x.e, s.name, s.path FROM ({probes}) x{with_text}"), params)
    ).all()
    per_variant = Counter(int(r[0]) for r in rows)
    common: dict[int, int] = {}
    found = {int(r[1]): (str(r[2]), r[3]) for r in rows if per_variant[int(r[0])] <= COMMON}
    for i in (i for i, n in per_variant.items() if n > COMMON):
        one: dict[str, object] = {}
        holding = _holding(variants[i], i, one)
        newest = (
            await session.execute(
                text(
                    f"SELECT (SELECT count(*) FROM ({holding}) y), x.e, s.name, s.path"
                    f" FROM (SELECT e FROM ({holding}) z ORDER BY e DESC LIMIT :k) x{with_text}"
                ),
                {**one, "k": depth},
            )
        ).all()
        common[i] = int(newest[0][0]) if newest else 0
        found.update({int(r[1]): (str(r[2]), r[3]) for r in newest})
    return found, common


async def _statistics(session: AsyncSession) -> tuple[float, float]:
    """(N, avgdl): the index's rows (assets and tag uses not in the trash), and the mean length of
    a sample of them: whole pages (about `SAMPLE_ROWS` rows, the same ones each time while the
    table is unchanged), every row of a small library."""
    rows = (
        await session.execute(
            text(
                "SELECT (SELECT n FROM search_asset_count)"
                " + (SELECT coalesce(sum(use_count), 0) FROM component_tag_concept)"
            )
        )
    ).scalar_one()
    share = min(100.0, 100.0 * SAMPLE_ROWS / max(float(rows or 0), 1.0))
    mean = (
        await session.execute(
            text(
                "SELECT avg(regexp_count(concat_ws(' ', name, path, tags), '[[:alnum:]]+'))"
                f" FROM {INDEX} TABLESAMPLE SYSTEM (:share) REPEATABLE (0)"
            ),
            {"share": share},
        )
    ).scalar_one()
    return float(rows or 0), float(mean or 0) or 1.0


async def _tags(session: AsyncSession, variants: Sequence[str]) -> list[tuple[int, str, int]]:
    """(tag id, name, uses) of the tags in use whose name holds a word starting with a variant."""
    rows = await session.execute(
        text(
            "SELECT entity_id, tag_name, use_count FROM component_tag_concept"
            f" WHERE {FOLD}(tag_name) ~ :rx AND use_count > 0"
        ),
        {"rx": _prefix_regex(variants)},
    )
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows.all()]


async def _tagged(session: AsyncSession, tags: list[tuple[int, float]], depth: int) -> list[Scored]:
    """Each tag's newest `depth` assets not in the trash, with its score: any older one is
    outranked by those, or tied with them and older."""
    rows = await session.execute(
        text(
            "SELECT t.s, fp.entity_id, fp.original_filename, fp.asset_type"
            " FROM unnest(CAST(:ids AS bigint[]), CAST(:scores AS float8[])) t(id, s)"
            " CROSS JOIN LATERAL (SELECT l.entity_id FROM component_entity_tag_link l"
            " WHERE l.tag_concept_entity_id = t.id"
            f" AND {NOT_TRASHED.format(e='l.entity_id')} ORDER BY l.entity_id DESC LIMIT :k) x"
            " JOIN component_file_properties fp ON fp.entity_id = x.entity_id"
        ),
        {"ids": [t for t, _ in tags], "scores": [s for _, s in tags], "k": depth},
    )
    return [Scored(int(r[1]), float(r[0]), str(r[2]), str(r[3])) for r in rows.all()]


async def _kinds(session: AsyncSession, entity_ids: list[int]) -> dict[int, str]:
    """Entity id -> asset type of those of `entity_ids` that are assets not in the trash."""
    rows = await session.execute(
        text(
            "SELECT fp.entity_id, fp.asset_type FROM unnest(CAST(:ids AS bigint[])) c(e)"
            f" JOIN component_file_properties fp ON fp.entity_id = c.e WHERE {NOT_TRASHED.format(e='c.e')}"
        ),
        {"ids": entity_ids},
    )
    return {int(r[0]): str(r[1]) for r in rows.all()}


async def rank(session: AsyncSession, variants: Sequence[str], depth: int) -> list[Scored]:
    """The `depth` best assets not in the trash for these phrases (prefixes), best first."""
    own, common = await _own_rows(session, variants, depth)
    tags = await _tags(session, variants)
    rows, avgdl = await _statistics(session)
    own_rows = {
        e: _row(variants, [(NAME_WEIGHT, name), (PATH_WEIGHT, path)]) for e, (name, path) in own.items()
    }
    tag_rows = [_row(variants, [(TAGS_WEIGHT, name)]) for _, name, _ in tags]
    holding = [
        common.get(i, sum(1 for r in own_rows.values() if r.freqs[i]))
        + sum(uses for (_, _, uses), r in zip(tags, tag_rows, strict=True) if r.freqs[i])
        for i in range(len(variants))
    ]
    idfs = [idf(rows, n) for n in holding]
    # The own rows' assets may be in the trash: their type and the trash are read for the best.
    unchecked = {
        e: Scored(e, bm25(r.freqs, idfs, r.length, avgdl), own[e][0], "")
        for e, r in own_rows.items()
        if any(r.freqs)
    }
    scored_tags = [
        (tag, bm25(r.freqs, idfs, r.length, avgdl))
        for (tag, _, _), r in zip(tags, tag_rows, strict=True)
        if any(r.freqs)
    ]
    best = {s.entity_id: s for s in (await _tagged(session, scored_tags, depth) if scored_tags else [])}
    order = sorted(unchecked.values(), key=lambda s: (-s.score, -s.entity_id))
    checked: list[Scored] = []
    while order and len(checked) < depth:
        chunk, order = order[: depth * 2], order[depth * 2 :]
        kinds = await _kinds(session, [s.entity_id for s in chunk])
        checked += [
            Scored(s.entity_id, s.score, s.filename, kinds[s.entity_id])
            for s in chunk
            if s.entity_id in kinds
        ]
    for s in checked:
        held = best.get(s.entity_id)
        if held is None or s.score > held.score:
            best[s.entity_id] = s
    return sorted(best.values(), key=lambda s: (-s.score, -s.entity_id))[:depth]


async def texts(session: AsyncSession, entity_ids: list[int]) -> dict[int, list[str]]:
    """Every text of each asset in the index: its name, locations and tags. The tags are read from
    the links (the index's tag rows hold their names): the planner, blind to how many rows an
    asset's range of rowids holds, costed that read in the millions and compiled it (JIT, 40-120 ms)."""
    rows = (
        await session.execute(
            text(
                "SELECT j.e, s.name, s.path FROM unnest(CAST(:ids AS bigint[])) j(e)"
                f" JOIN {INDEX} s ON s.rowid = j.e << {SHIFT}"
                " UNION ALL SELECT j.e, c.tag_name, NULL FROM unnest(CAST(:ids AS bigint[])) j(e)"
                " JOIN component_entity_tag_link l ON l.entity_id = j.e"
                " JOIN component_tag_concept c ON c.entity_id = l.tag_concept_entity_id"
            ),
            {"ids": entity_ids},
        )
    ).all()
    out: dict[int, list[str]] = {}
    for r in rows:
        out.setdefault(int(r[0]), []).extend(str(t) for t in r[1:3] if t)
    return out


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
            f" WHERE w.rowid & {OWN_ROW_MASK} = 0 AND {NOT_TRASHED.format(e='w.entity_id')}"
            " ORDER BY w.entity_id DESC LIMIT 200"
        ),
        {"typed": typed},
    )
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows.all()]
