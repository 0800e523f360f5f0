"""The reads of the word ranking on PostgreSQL (`lexical_postgres`): the own rows holding a word,
the tags holding one, the index's statistics, a tag's newest assets, and what a hit shows."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.text_words import OWN_ROW_MASK, PREFIX, PREFIX_MARK, WORDS
from dam_desktop.services.search.text_index import INDEX, SHIFT
from dam_desktop.services.search.text_match_postgres import FOLD, TRIGRAM

# Whole pages of the text index whose rows' mean length stands for all rows' (about this many
# rows, the same ones while the table is unchanged; every row of a smaller library): 1.5 ms at 1M.
SAMPLE_ROWS = 1500
# Of each of the two kinds of rows whose mean length makes avgdl (`mean_length`): a tag's row costs
# a lookup of its name, so half as many as the one sample of the index's rows before migration
# 0036 (1,500 took 5-8 ms more at 1M, load 2.5).
SAMPLE_EACH = SAMPLE_ROWS // 4
# A word more own rows than this hold is common: its rows are counted, not all read.
COMMON = 5000
NOT_TRASHED = "NOT EXISTS (SELECT 1 FROM component_trashed t WHERE t.entity_id = {e})"


def prefix_regex(variants: Sequence[str]) -> str:
    """A regular expression over folded text: a word that starts with one of `variants`."""
    return "(^|[^[:alnum:]])(" + "|".join(re.escape(v) for v in variants) + ")"


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
    params[f"p{n}"] = prefix_regex([variant])
    return f"{names} UNION ALL SELECT rowid >> {SHIFT} FROM {INDEX} WHERE {FOLD}(path) ~ :p{n}"


# An own row's text, read from migration 0035's index of them (one page a row, the table's two),
# one row at a time: the planner, which has no statistics of the index's share of the rows,
# guessed it small and hashed it whole (1M rows, 320 ms) for a few hundred assets.
OWN_ROW = f"s.rowid & {OWN_ROW_MASK} = 0"
_WITH_TEXT = (
    f" CROSS JOIN LATERAL (SELECT s.name, s.path FROM {INDEX} s"
    f" WHERE s.rowid = CAST(x.e AS bigint) << {SHIFT} AND {OWN_ROW} LIMIT 1) s"
)


async def own_rows(
    session: AsyncSession, variants: Sequence[str], depth: int
) -> tuple[dict[int, tuple[str, str | None]], dict[int, int]]:
    """Entity id -> (name, locations) of the assets, in the trash or not, whose name or locations
    hold a word that starts with one of `variants`, and the number of own rows holding each variant
    that more than `COMMON` do (the others' are counted from these rows).

    Such a common word's rows are not all read: an asset holding only common words is looked for
    among the newest `depth` holding each (`png` is in 800k names of the benchmark library)."""
    params: dict[str, object] = {}
    probes = " UNION ALL ".join(
        f"(SELECT {n} AS i, x.e FROM ({_holding(v, n, params)}) x LIMIT {COMMON + 1})"
        for n, v in enumerate(variants)
    )
    rows = (
        await session.execute(text(f"SELECT x.i, x.e, s.name, s.path FROM ({probes}) x{_WITH_TEXT}"), params)
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
                    f" FROM (SELECT e FROM ({holding}) z ORDER BY e DESC LIMIT :k) x{_WITH_TEXT}"
                ),
                {**one, "k": depth},
            )
        ).all()
        common[i] = int(newest[0][0]) if newest else 0
        found.update({int(r[1]): (str(r[2]), r[3]) for r in newest})
    return found, common


@dataclass(frozen=True)
class TagsRead:
    """The tags in use holding a variant, (id, name, uses) each, and the rows FTS5 would have: the
    assets' own rows and their tags' (uses), not in the trash (FTS5 counted the trashed ones' too)."""

    tags: list[tuple[int, str, int]]
    assets: int
    uses: int

    @property
    def rows(self) -> int:
        """N: the index's rows."""
        return self.assets + self.uses


async def tags_and_rows(session: AsyncSession, variants: Sequence[str]) -> TagsRead:
    result = await session.execute(
        text(
            "SELECT entity_id, tag_name, use_count FROM component_tag_concept"
            f" WHERE {FOLD}(tag_name) ~ :rx AND use_count > 0"
            " UNION ALL SELECT -1, NULL, (SELECT n FROM search_asset_count)"
            " UNION ALL SELECT -2, NULL, (SELECT coalesce(sum(use_count), 0) FROM component_tag_concept)"
        ),
        {"rx": prefix_regex(variants)},
    )
    rows = result.all()
    tags = [(int(r[0]), str(r[1]), int(r[2])) for r in rows if int(r[0]) >= 0]
    totals = {int(r[0]): int(r[2] or 0) for r in rows if int(r[0]) < 0}
    return TagsRead(tags, totals.get(-1, 0), totals.get(-2, 0))


_OWN_WORDS = "regexp_count(concat_ws(' ', name, path), '[[:alnum:]]+')"
# A link's tag name looked up per row: joined, the planner read the link index's ends for its
# estimates (2.3 ms of planning at 1M, warm, against 0.1).
_TAG_WORDS = (
    "regexp_count((SELECT c.tag_name FROM component_tag_concept c"
    " WHERE c.entity_id = l.tag_concept_entity_id), '[[:alnum:]]+')"
)


async def mean_length(session: AsyncSession, read: TagsRead) -> float:
    """avgdl: the mean length in words of FTS5's rows, from a sample of the assets' own rows and one
    of the tag links (each a tag's row there; PostgreSQL's text index has none, migration 0036),
    `SAMPLE_EACH` rows each (every row of a smaller library), weighed by their numbers."""
    own, tag = (
        await session.execute(
            text(
                f"SELECT (SELECT avg({_OWN_WORDS})"
                f" FROM {INDEX} TABLESAMPLE SYSTEM (:own) REPEATABLE (0)),"
                f" (SELECT avg({_TAG_WORDS}) FROM component_entity_tag_link l"
                " TABLESAMPLE SYSTEM (:links) REPEATABLE (0))"
            ),
            {
                "own": min(100.0, 100.0 * SAMPLE_EACH / max(read.assets, 1)),
                "links": min(100.0, 100.0 * SAMPLE_EACH / max(read.uses, 1)),
            },
        )
    ).one()
    total = float(own or 0) * read.assets + float(tag or 0) * read.uses
    return total / read.rows if read.rows and total else 1.0


async def newest_tagged(session: AsyncSession, tags: Sequence[int], depth: int) -> list[tuple[int, int]]:
    """(tag id, entity id): each tag's newest `depth` assets not in the trash."""
    rows = await session.execute(
        text(
            "SELECT t.id, x.entity_id FROM unnest(CAST(:ids AS bigint[])) t(id)"
            " CROSS JOIN LATERAL (SELECT l.entity_id FROM component_entity_tag_link l"
            " WHERE l.tag_concept_entity_id = t.id"
            f" AND {NOT_TRASHED.format(e='l.entity_id')} ORDER BY l.entity_id DESC LIMIT :k) x"
        ),
        {"ids": list(tags), "k": depth},
    )
    return [(int(r[0]), int(r[1])) for r in rows.all()]


@dataclass(frozen=True)
class Shown:
    """What a hit shows and holds: its file name and type, its locations (when asked), and which
    of the tags asked about it carries."""

    filename: str
    asset_type: str
    path: str | None
    tags: list[int]


async def shown(
    session: AsyncSession, entity_ids: list[int], tags: Sequence[int], *, paths: bool
) -> dict[int, Shown]:
    """Entity id -> what it shows, for those of `entity_ids` that are assets not in the trash."""
    path = f"(SELECT s.path FROM {INDEX} s WHERE s.rowid = c.e << {SHIFT} AND {OWN_ROW})" if paths else "NULL"
    rows = await session.execute(
        text(
            f"SELECT c.e, fp.original_filename, fp.asset_type, {path},"
            " ARRAY(SELECT l.tag_concept_entity_id FROM component_entity_tag_link l"
            " WHERE l.entity_id = c.e AND l.tag_concept_entity_id = ANY(CAST(:tags AS bigint[])))"
            " FROM unnest(CAST(:ids AS bigint[])) c(e)"
            " JOIN component_file_properties fp ON fp.entity_id = c.e"
            f" WHERE {NOT_TRASHED.format(e='c.e')}"
        ),
        {"ids": entity_ids, "tags": list(tags)},
    )
    return {int(r[0]): Shown(str(r[1]), str(r[2]), r[3], [int(t) for t in r[4]]) for r in rows.all()}
