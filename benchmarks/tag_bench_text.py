"""The name and word lines of `tag_bench.py` (issue 16): `name:` words and globs, a bare word that
is no tag, mixed with a tag and counted, the lexical ranking of a sentence, and the search box's
autocomplete, each beside a naive baseline that scans every name with LIKE or GLOB (what the query
language could do before the full-text index)."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import text

from dam_desktop.core.sql_dialect import portable
from dam_desktop.core.world import World
from dam_desktop.services.search import lexical, search_service, suggestions

Timed = Callable[[Callable[[], Awaitable[Any]]], Awaitable[float]]
Report = Callable[[str, float, list[float], list[float]], None]

NOT_TRASHED = "NOT EXISTS (SELECT 1 FROM component_trashed t WHERE t.entity_id = fp.entity_id)"


def _words(names: list[str]) -> list[str]:
    return [n.split(":")[-1] for n in names]


async def text_term_lines(
    world: World,
    names: list[str],
    rng: random.Random,
    reps: int,
    naive_reps: int,
    timed: Timed,
    report: Report,
) -> None:
    words = _words(names)
    # Three letters of a word of the names (never a whole tag name: tags have four or more).
    prefixes = [rng.choice(words[:2000])[:3] for _ in range(reps)]
    counters = [f"IMG_{rng.randint(0, 9)}{rng.randint(0, 9)}*" for _ in range(reps)]
    sentences = [" ".join(rng.sample(words[:5000], 3)) for _ in range(reps)]

    # Read sessions, as the search use cases (and the grid) read: no transaction of their own.
    async def page(query: str) -> None:
        async with world.read_session() as s:
            await search_service.search(s, query, limit=100)

    async def count(query: str) -> None:
        async with world.read_session() as s:
            await search_service.count(s, query)

    async def naive(sql: str, params: dict[str, Any]) -> None:
        async with world.session() as s:
            sql, params = portable(s, sql, params)  # GLOB as a regular expression on PostgreSQL
            (await s.execute(text(sql), params)).all()

    def naive_prefix(p: str) -> tuple[str, dict[str, Any]]:
        return (
            "SELECT fp.entity_id FROM component_file_properties fp WHERE"
            f" (fp.original_filename LIKE :p OR fp.original_filename LIKE :q ESCAPE '\\') AND {NOT_TRASHED}"
            " ORDER BY fp.entity_id DESC LIMIT 100",
            {"p": p + "%", "q": "%\\_" + p + "%"},
        )

    def naive_glob(g: str) -> tuple[str, dict[str, Any]]:
        return (
            f"SELECT fp.entity_id FROM component_file_properties fp WHERE fp.original_filename GLOB :g"
            f" AND {NOT_TRASHED} ORDER BY fp.entity_id DESC LIMIT 100",
            {"g": g},
        )

    ours = [await timed(lambda p=p: page(p)) for p in prefixes]
    base = [await timed(lambda p=p: naive(*naive_prefix(p))) for p in prefixes[:naive_reps]]
    report("name prefix word, first page", 10, ours, base)

    ours = [await timed(lambda p=p: page(f"name:{p}")) for p in prefixes]
    report("name:word prefix, first page", 10, ours, base)

    ours = [await timed(lambda g=g: page(f"name:{g}")) for g in counters]
    base = [await timed(lambda g=g: naive(*naive_glob(g))) for g in counters[:naive_reps]]
    report("name:IMG_4* glob, first page", 10, ours, base)

    pairs = [(p, names[rng.randint(0, 49)]) for p in prefixes]

    def naive_tagged(p: str, tag: str) -> tuple[str, dict[str, Any]]:
        sql, params = naive_prefix(p)
        with_tag = (
            " AND EXISTS (SELECT 1 FROM component_entity_tag_link l JOIN component_tag_concept c"
            " ON c.entity_id = l.tag_concept_entity_id WHERE l.entity_id = fp.entity_id AND c.tag_name = :t)"
        )
        return sql.replace(" ORDER BY", with_tag + " ORDER BY"), {**params, "t": tag}

    ours = [await timed(lambda p=p, t=t: page(f'{p} "{t}"')) for p, t in pairs]
    base = [await timed(lambda p=p, t=t: naive(*naive_tagged(p, t))) for p, t in pairs[:naive_reps]]
    report("name prefix word + tag, page", 50, ours, base)

    def naive_count(p: str) -> tuple[str, dict[str, Any]]:
        return (
            "SELECT count(*) FROM component_file_properties fp WHERE"
            f" (fp.original_filename LIKE :p OR fp.original_filename LIKE :q ESCAPE '\\') AND {NOT_TRASHED}",
            {"p": p + "%", "q": "%\\_" + p + "%"},
        )

    ours = [await timed(lambda p=p: count(p)) for p in prefixes]
    base = [await timed(lambda p=p: naive(*naive_count(p))) for p in prefixes[:naive_reps]]
    report("count, name prefix word", 200, ours, base)

    async def ranked(sentence: str) -> None:
        async with world.session() as s:
            await lexical.rank_by_words(s, sentence, limit=100)

    def naive_ranked(sentence: str) -> tuple[str, dict[str, Any]]:
        parts = sentence.split()
        likes = " + ".join(
            f"(CASE WHEN fp.original_filename LIKE :w{i} THEN 1 ELSE 0 END)" for i in range(len(parts))
        )
        return (
            f"SELECT fp.entity_id, {likes} AS hits FROM component_file_properties fp WHERE ({likes}) > 0"
            f" AND {NOT_TRASHED} ORDER BY hits DESC LIMIT 100",
            {f"w{i}": f"%{w}%" for i, w in enumerate(parts)},
        )

    ours = [await timed(lambda q=q: ranked(q)) for q in sentences]
    base = [await timed(lambda q=q: naive(*naive_ranked(q))) for q in sentences[:naive_reps]]
    report("words ranking (BM25), 3 words", 50, ours, base)

    async def complete(p: str) -> None:
        async with world.read_session() as s:  # as `use_cases.search.autocomplete`
            await suggestions.suggest(s, p, 10)

    def naive_complete(p: str) -> tuple[str, dict[str, Any]]:
        return (
            "SELECT c.tag_name, count(l.id) AS n FROM component_tag_concept c LEFT JOIN"
            " component_entity_tag_link l ON l.tag_concept_entity_id = c.entity_id"
            " WHERE c.tag_name LIKE :p GROUP BY c.entity_id, c.tag_name ORDER BY n DESC LIMIT 10",
            {"p": p + "%"},
        )

    short = [p[:2] for p in prefixes]
    ours = [await timed(lambda p=p: complete(p)) for p in short]
    base = [await timed(lambda p=p: naive(*naive_complete(p))) for p in short[:naive_reps]]
    report("search box autocomplete, 2 letters", 30, ours, base)
