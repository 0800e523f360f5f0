"""Tag and query benchmark on a synthetic library (issue 5).

    .venv/bin/python benchmarks/tag_bench.py                   # 200k entities, quick
    .venv/bin/python benchmarks/tag_bench.py --entities 1000000 --reuse

Builds a real library (created through our migrations) of N assets with about 6 tag links each
over 20k tags whose popularity follows a Zipf-like law (exponent 0.8: the top tag is on ~19% of
assets, the 1000th on ~0.08%), 80% images with sizes, 20% audio with durations, 0.5% trashed.
The bulk load uses the stdlib sqlite3 with executemany / INSERT ... SELECT, the link indexes and
the use-count triggers are dropped during the load and rebuilt after it, then ANALYZE runs.
`--reuse` keeps the built library in the cache folder and reuses it on the next run.

For each target it prints p50/p95 in milliseconds of the service call as the app makes it
(parse, resolve tags, plan, run), and beside it a naive baseline: one EXISTS subquery per term,
tags matched by name in SQL, ORDER BY/LIMIT left to SQLite without planning; autocomplete that
counts links live; bulk tagging with one INSERT per asset (and untagging with one DELETE each).
The lines for names and words (`name:`, a bare word, the lexical ranking, the search box's
autocomplete) are in `tag_bench_text.py`; their baselines scan the names with LIKE / GLOB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from tag_bench_stream import fill_sort_copies, stream_lines
from tag_bench_text import text_term_lines

from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.sql_dialect import or_ignore
from dam_desktop.core.world import World
from dam_desktop.services.search import search_service
from dam_desktop.services.search.tag_words import write_listed_tag_words
from dam_desktop.services.tags import tag_service

ZIPF_EXPONENT = 0.8
SYLLABLES = [c + v for c in "bdfghklmnprstvz" for v in "aeiou"] + ["an", "el", "is", "or", "um"]
NAMESPACES = ["character", "artist", "series", "place", "mood"]


def tag_names(count: int, rng: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if rng.random() < 0.1:
            word = f"{rng.choice(NAMESPACES)}:{word}"
        names.add(word)
    out = sorted(names)
    rng.shuffle(out)  # rank (popularity) independent of spelling
    return out


def build_library(path: Path, entities: int, tags: int, links_per_entity: float, seed: int) -> None:
    t0 = time.perf_counter()
    asyncio.run(_create_empty(path))
    db = sqlite3.connect(LibraryPaths(path).db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-262144")
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    db.execute("BEGIN")
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger'").fetchall()
    for name, _ in triggers:
        db.execute(f"DROP TRIGGER {name}")
    link_indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='component_entity_tag_link'"
        " AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in link_indexes:
        db.execute(f"DROP INDEX {name}")
    # Tags: entity ids 1..tags, ranked by popularity in id order.
    names = tag_names(tags, rng)
    db.execute(
        f"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {tags})"
        " INSERT INTO entities (id, created_at) SELECT x, '2023-12-31 00:00:00' FROM c"
    )
    db.executemany(
        "INSERT INTO component_tag_concept (entity_id, tag_name, namespace, use_count) VALUES (?, ?, ?, 0)",
        [(i + 1, n, n.split(":")[0] if ":" in n else None) for i, n in enumerate(names)],
    )
    first = tags + 1
    last = tags + entities
    # Assets: added over two years in id order; 80% images, 20% audio.
    db.execute(
        f"WITH RECURSIVE c(x) AS (SELECT {first} UNION ALL SELECT x + 1 FROM c WHERE x < {last})"
        " INSERT INTO entities (id, created_at)"
        f" SELECT x, datetime('2024-01-01', '+' || ((x - {first}) * 63) || ' seconds') FROM c"
    )
    # Names as people and cameras give them: a third camera counters (IMG_0042), the rest two
    # words (the words of tags) and a number.
    db.execute(
        "INSERT INTO component_file_properties (entity_id, original_filename, file_size_bytes, mime_type,"
        " file_extension, asset_type)"
        f" SELECT id, {name_sql(tags)} || CASE WHEN id % 5 = 0 THEN '.wav' ELSE '.png' END,"
        " abs(random()) % 50000000, CASE WHEN id % 5 = 0 THEN 'audio/wav' ELSE 'image/png' END,"
        " CASE WHEN id % 5 = 0 THEN 'wav' ELSE 'png' END, CASE WHEN id % 5 = 0 THEN 'audio' ELSE 'image' END"
        f" FROM entities WHERE id >= {first}"
    )
    # Seven in ten pictures carry an EXIF date (taken over ten years); one asset in ten is rated.
    db.execute(
        "INSERT INTO component_image_properties (entity_id, width, height, mode, is_animated, frame_count,"
        " exif_datetime) SELECT entity_id, 200 + abs(random()) % 4000, 200 + abs(random()) % 3000,"
        " 'RGB', 0, 1,"
        " CASE WHEN abs(random()) % 10 < 7 THEN datetime('2014-01-01', '+' || (abs(random()) % 315360000)"
        " || ' seconds') END FROM component_file_properties WHERE asset_type = 'image'"
    )
    db.execute(
        "INSERT INTO component_asset_marks (entity_id, rating) SELECT entity_id, 1 + abs(random()) % 5"
        " FROM component_file_properties WHERE abs(random()) % 10 = 0"
    )
    db.execute(
        "INSERT INTO component_audio_properties (entity_id, duration_seconds, sample_rate, channels,"
        " audio_format) SELECT entity_id, (abs(random()) % 600000) / 1000.0, 44100, 2, 'WAV'"
        " FROM component_file_properties WHERE asset_type = 'audio'"
    )
    db.execute(
        "INSERT INTO component_trashed (entity_id, trashed_at)"
        f" SELECT id, '2026-01-01 00:00:00' FROM entities WHERE id >= {first} AND abs(random()) % 200 = 0"
    )
    # Links: per asset a Poisson number of tags drawn by Zipf weight, duplicates dropped.
    weights = 1.0 / np.arange(1, tags + 1) ** ZIPF_EXPONENT
    cdf = np.cumsum(weights / weights.sum())
    per_entity = nprng.poisson(links_per_entity * 1.03, size=entities)
    owners = np.repeat(np.arange(first, last + 1, dtype=np.int64), per_entity)
    chosen = np.searchsorted(cdf, nprng.random(owners.size)).astype(np.int64) + 1
    keys = np.unique(owners * (tags + 1) + chosen)
    pairs = np.stack([keys // (tags + 1), keys % (tags + 1)], axis=1)
    db.executemany(
        "INSERT INTO component_entity_tag_link (entity_id, tag_concept_entity_id) VALUES (?, ?)",
        pairs.tolist(),
    )
    for _, sql in link_indexes:
        db.execute(sql)
    db.execute(
        "UPDATE component_tag_concept SET use_count = (SELECT count(*) FROM component_entity_tag_link l"
        " WHERE l.tag_concept_entity_id = component_tag_concept.entity_id AND NOT EXISTS"
        " (SELECT 1 FROM component_trashed t WHERE t.entity_id = l.entity_id))"
    )
    fill_text_index(db)
    fill_sort_copies(db)
    for _, sql in triggers:
        db.execute(sql)
    db.execute("COMMIT")
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    n_links = db.execute("SELECT count(*) FROM component_entity_tag_link").fetchone()[0]
    db.close()
    print(
        f"built {entities:,} assets, {tags:,} tags, {n_links:,} links in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )


def name_sql(tags: int) -> str:
    """SQL for an asset's file name stem from its entity id: a camera counter or two tag words."""
    word = (
        "(SELECT replace(c.tag_name, ':', '-') FROM component_tag_concept c"
        f" WHERE c.entity_id = 1 + (entities.id * {{k}}) % {tags})"
    )
    return (
        "CASE WHEN entities.id % 3 = 0 THEN 'IMG_' || substr('000' || (entities.id % 10000), -4)"
        f" ELSE {word.format(k=7919)} || '_' || {word.format(k=104729)} || '_' || (entities.id % 1000) END"
    )


def fill_text_index(db: sqlite3.Connection) -> None:
    """What migration 0014's triggers would have written for the bulk-loaded rows."""
    db.execute(
        "INSERT INTO search_asset_text (rowid, name) SELECT fp.entity_id << 31, fp.original_filename"
        " FROM component_file_properties fp"
    )
    db.execute(
        "INSERT INTO search_asset_text (rowid, tags) SELECT (l.entity_id << 31) + c.entity_id, c.tag_name"
        " FROM component_entity_tag_link l CROSS JOIN component_tag_concept c"
        " WHERE c.entity_id = l.tag_concept_entity_id"
        " AND EXISTS (SELECT 1 FROM component_file_properties p WHERE p.entity_id = l.entity_id)"
    )
    db.execute("INSERT INTO search_asset_text (search_asset_text) VALUES ('optimize')")


async def _create_empty(path: Path) -> None:
    world = await World.open(path)
    await world.close()


# --- measuring ------------------------------------------------------------------------------------


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


CPU: dict[int, float] = {}


async def timed(fn: Callable[[], Awaitable[Any]]) -> float:
    """Wall milliseconds of one call; its CPU milliseconds (all threads of this process, so the
    database thread too) are kept in CPU under the same sample, keyed by the wall value's id."""
    c0 = time.process_time()
    t0 = time.perf_counter()
    await fn()
    wall = (time.perf_counter() - t0) * 1000.0
    CPU[id(wall)] = (time.process_time() - c0) * 1000.0
    return wall


def fmt(samples: list[float]) -> str:
    return f"p50 {statistics.median(samples):8.2f} p95 {pct(samples, 0.95):8.2f}"


# Each line's samples, in order, when both backends are measured (`--backend postgresql`).
RESULTS: list[tuple[str, list[float], list[float]]] = []


def report(name: str, target_ms: float, ours: list[float], naive: list[float]) -> None:
    RESULTS.append((name, ours, naive))
    ok = "ok  " if pct(ours, 0.95) <= target_ms else "MISS"
    cpu = [CPU.get(id(x), float("nan")) for x in ours]
    same = ours[: len(naive)]
    print(
        f"{name:<32} target {target_ms:5.0f} [{ok}] wall {fmt(ours)} | cpu {fmt(cpu)} | naive wall"
        f" {fmt(naive)} (ours on the same {len(naive)}: p50 {statistics.median(same):.2f})",
        flush=True,
    )


def naive_where(terms: list[tuple[str, str]]) -> tuple[str, dict[str, Any]]:
    """One EXISTS per term, tags matched by name; no planning."""
    parts = ["NOT EXISTS (SELECT 1 FROM component_trashed t WHERE t.entity_id = fp.entity_id)"]
    params: dict[str, Any] = {}
    for i, (kind, value) in enumerate(terms):
        if kind in ("tag", "not"):
            exists = (
                "EXISTS (SELECT 1 FROM component_entity_tag_link l JOIN component_tag_concept c"
                " ON c.entity_id = l.tag_concept_entity_id"
                f" WHERE l.entity_id = fp.entity_id AND c.tag_name = :t{i})"
            )
            parts.append(exists if kind == "tag" else f"NOT {exists}")
            params[f"t{i}"] = value
        elif kind == "width>":
            parts.append(
                "EXISTS (SELECT 1 FROM component_image_properties ip WHERE ip.entity_id = fp.entity_id"
                f" AND ip.width > :t{i})"
            )
            params[f"t{i}"] = int(value)
    return " AND ".join(parts), params


def naive_page_sql(terms: list[tuple[str, str]]) -> tuple[str, dict[str, Any]]:
    where, params = naive_where(terms)
    return (
        "SELECT fp.entity_id FROM component_file_properties fp JOIN entities e ON e.id = fp.entity_id"
        f" WHERE {where} ORDER BY e.id DESC LIMIT 100",
        params,
    )


def naive_count_sql(terms: list[tuple[str, str]]) -> tuple[str, dict[str, Any]]:
    where, params = naive_where(terms)
    return f"SELECT count(*) FROM component_file_properties fp WHERE {where}", params


def render(terms: list[tuple[str, str]]) -> str:
    out = []
    for kind, value in terms:
        quoted = '"' + value + '"'
        out.append({"tag": quoted, "not": "-" + quoted, "width>": f"width:>{value}"}[kind])
    return " ".join(out)


def log_uniform_rank(rng: random.Random, top: int) -> int:
    return min(top, int(math.exp(rng.uniform(0, math.log(top)))))


async def run_benchmarks(
    path: Path, reps: int, naive_reps: int, seed: int, url: str | None = None, text_reps: int | None = None
) -> None:
    """Every line on the library folder at `path`, or on its copy on a server (`url`)."""
    rng = random.Random(seed + 1)
    world = await (World.open_shared(url, path) if url else World.open(path))
    try:
        await restore_as_built(world)
        async with world.session() as s:
            names = [
                str(r[0])
                for r in (
                    await s.execute(text("SELECT tag_name FROM component_tag_concept ORDER BY entity_id"))
                ).all()
            ]
            asset_range = (
                await s.execute(text("SELECT min(entity_id), max(entity_id) FROM component_file_properties"))
            ).one()

        def tag(rank: int) -> str:
            return names[rank - 1]

        two_tag = [
            [("tag", tag(log_uniform_rank(rng, 2000))), ("tag", tag(log_uniform_rank(rng, 2000)))]
            for _ in range(reps)
        ]
        two_tag = [q if q[0][1] != q[1][1] else [q[0], ("tag", tag(1))] for q in two_tag]
        mixed = [
            [("tag", tag(log_uniform_rank(rng, 2000))), ("not", tag(rng.randint(1, 50))), ("width>", "1000")]
            for _ in range(reps)
        ]
        plans: dict[str, int] = {}

        async def page(q: list[tuple[str, str]]) -> None:
            async with world.read_session() as s:  # as the search use cases read
                await search_service.search(s, render(q), limit=100)

        async with world.session() as s:
            for q in two_tag + mixed:
                chosen, _ = await search_service.plan(s, render(q), limit=100)
                plans[chosen.kind] = plans.get(chosen.kind, 0) + 1

        async def count(q: list[tuple[str, str]] | None) -> None:
            async with world.read_session() as s:
                await search_service.count(s, "" if q is None else render(q))

        async def naive(sql_params: tuple[str, dict[str, Any]]) -> None:
            async with world.session() as s:
                (await s.execute(text(sql_params[0]), sql_params[1])).all()

        # Warm the page cache once, as an open app would be.
        await count(None)
        for q in two_tag[:3]:
            await page(q)

        async def nothing() -> None:
            async with world.session() as s:
                await s.execute(text("SELECT 1"))

        async def read_nothing() -> None:
            async with world.read_session() as s:
                await s.execute(text("SELECT 1"))

        floor = [await timed(nothing) for _ in range(reps)]
        report("floor: session + SELECT 1", 1, floor, floor)
        floor = [await timed(read_nothing) for _ in range(reps)]
        report("floor: read session + SELECT 1", 1, floor, floor)

        ours = [await timed(lambda q=q: page(q)) for q in two_tag]
        base = [await timed(lambda q=q: naive(naive_page_sql(q))) for q in two_tag[:naive_reps]]
        report("two-tag AND, first page", 10, ours, base)

        ours = [await timed(lambda q=q: page(q)) for q in mixed]
        base = [await timed(lambda q=q: naive(naive_page_sql(q))) for q in mixed[:naive_reps]]
        report("tag -tag width:>1000, first page", 50, ours, base)

        ours = [await timed(lambda q=q: count(q)) for q in two_tag]
        base = [await timed(lambda q=q: naive(naive_count_sql(q))) for q in two_tag[:naive_reps]]
        report("count, two-tag AND", 200, ours, base)

        ours = [await timed(lambda q=q: count(q)) for q in mixed]
        base = [await timed(lambda q=q: naive(naive_count_sql(q))) for q in mixed[:naive_reps]]
        report("count, tag -tag width:>1000", 200, ours, base)

        ours = [await timed(lambda: count(None)) for _ in range(max(5, reps // 4))]
        base = [await timed(lambda: naive(naive_count_sql([]))) for _ in range(min(naive_reps, 5))]
        report("count, every asset", 200, ours, base)

        prefixes = [n.split(":")[-1][:2] for n in rng.sample(names, reps)]

        async def complete(p: str) -> None:
            async with world.read_session() as s:
                await tag_service.autocomplete(s, p, limit=10)

        async def naive_complete(p: str) -> None:
            async with world.session() as s:
                sql = (
                    "SELECT c.tag_name, count(l.id) AS n FROM component_tag_concept c LEFT JOIN"
                    " component_entity_tag_link l ON l.tag_concept_entity_id = c.entity_id"
                    " WHERE c.tag_name LIKE :p GROUP BY c.entity_id, c.tag_name ORDER BY n DESC LIMIT 10"
                )
                (await s.execute(text(sql), {"p": p + "%"})).all()

        ours = [await timed(lambda p=p: complete(p)) for p in prefixes]
        base = [await timed(lambda p=p: naive_complete(p)) for p in prefixes[:naive_reps]]
        report("autocomplete, 2-letter prefix", 30, ours, base)

        lo, hi = int(asset_range[0]), int(asset_range[1])
        bulk_reps = 10
        tagged: dict[str, list[int]] = {}  # tag name -> the assets a bulk edit gave it

        async def bulk(i: int, contiguous: bool = False) -> None:
            if contiguous:
                start = rng.randint(lo, hi - 10_000)
                ids = list(range(start, start + 10_000))
            else:
                ids = rng.sample(range(lo, hi + 1), 10_000)
            name = f"bench-bulk-{seed}-{i}"
            tagged[name] = ids
            async with world.session() as s:
                await tag_service.add_tags(s, ids, [name])
                await s.commit()

        # On PostgreSQL an edit lists its links and the words stage writes their words right after
        # it, off the edit's time (migration 0037): timed on its own after each edit, as the window
        # runs it. SQLite's edits write their words themselves: nothing is listed there.
        words_later: dict[bool, list[float]] = {False: [], True: []}

        async def words_stage() -> None:
            async with world.session() as s:
                await write_listed_tag_words(s)
                await s.commit()

        async def unbulk(i: int) -> None:
            name = f"bench-bulk-{seed}-{i}"
            async with world.session() as s:
                await tag_service.remove_tags(s, tagged[name], [name])
                await s.commit()

        async def naive_bulk(i: int) -> None:
            ids = rng.sample(range(lo, hi + 1), 10_000)
            name = f"bench-naive-{seed}-{i}"
            tagged[name] = ids
            async with world.session() as s:
                tag_id = await tag_service.get_or_create_tag_concept(s, name)
                for eid in ids:
                    await s.execute(
                        text(
                            or_ignore(
                                s,
                                "INSERT OR IGNORE INTO component_entity_tag_link"
                                " (entity_id, tag_concept_entity_id) VALUES (:e, :t)",
                            )
                        ),
                        {"e": eid, "t": tag_id},
                    )
                await s.commit()

        async def naive_unbulk(i: int) -> None:
            name = f"bench-naive-{seed}-{i}"
            async with world.session() as s:
                tag_id = await tag_service.require_tag(s, name)
                for eid in tagged[name]:
                    await s.execute(
                        text(
                            "DELETE FROM component_entity_tag_link"
                            " WHERE entity_id = :e AND tag_concept_entity_id = :t"
                        ),
                        {"e": eid, "t": tag_id},
                    )
                await s.commit()

        ours = []
        for i in range(bulk_reps):
            ours.append(await timed(lambda i=i: bulk(i)))
            if url is not None:
                words_later[False].append(await timed(words_stage))
        base = [await timed(lambda i=i: naive_bulk(i)) for i in range(1)]
        await words_stage()  # as after any edit: the untag baselines below find no list to read
        report("bulk-tag 10k random assets", 1000, ours, base)
        ours = [await timed(lambda i=i: unbulk(i)) for i in range(bulk_reps)]
        base_un = [await timed(lambda i=i: naive_unbulk(i)) for i in range(1)]
        report("bulk-untag 10k random assets", 1000, ours, base_un)
        ours = []
        for i in range(bulk_reps):
            ours.append(await timed(lambda i=i: bulk(100 + i, True)))
            if url is not None:
                words_later[True].append(await timed(words_stage))
        report("bulk-tag 10k adjacent assets", 1000, ours, base)
        for contiguous, samples in words_later.items():
            if samples:
                kind = "adjacent" if contiguous else "random"
                print(f"  its words, by the words stage after it ({kind}): wall {fmt(samples)}", flush=True)

        # Sidebar counts (not a stated target): sampled (the default) and exact.
        ours = [await timed(lambda q=q: _sidebar(world, render(q[:1]))) for q in two_tag]
        exact = [await timed(lambda q=q: _sidebar(world, render(q[:1]), None)) for q in two_tag[:naive_reps]]
        report("sidebar, one-tag result (sampled)", 100, ours, exact)
        print(f"plans chosen for pages: {json.dumps(plans)}")
        if text_reps != 0:
            await text_term_lines(world, names, rng, text_reps or reps, naive_reps, timed, report)
        await stream_lines(world, names, rng, reps, naive_reps, timed, report)
        await restore_as_built(world)
    finally:
        await world.close()


async def restore_as_built(world: World) -> None:
    """Drop the bench's tags, and the text-embedding markers tag edits leave (a library whose
    embeddings are up to date has none), so every run starts from the library as it was built."""
    async with world.session() as s:
        await s.execute(
            text(
                "DELETE FROM entities WHERE id IN (SELECT entity_id FROM component_tag_concept"
                " WHERE tag_name LIKE 'bench-%')"
            )
        )
        await s.execute(text("DELETE FROM component_marker_needs_text_embedding"))
        await s.commit()


async def _sidebar(world: World, query: str, sample: int | None = search_service.SIDEBAR_SAMPLE) -> None:
    async with world.read_session() as s:
        await search_service.tag_counts_for_query(s, query, limit=50, sample=sample)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--tags", type=int, default=20_000)
    parser.add_argument("--links-per-entity", type=float, default=6.0)
    parser.add_argument("--reps", type=int, default=40, help="queries per target")
    parser.add_argument("--naive-reps", type=int, default=6, help="queries per naive baseline")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "dam_tag_bench")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a library built earlier with the same sizes"
    )
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="postgresql: every line on the library folder and on its copy on a PostgreSQL server, "
        "side by side with the ratio",
    )
    parser.add_argument(
        "--server-dir", type=Path, help="with --backend postgresql: keep the server (and its copy) here"
    )
    parser.add_argument(
        "--text-reps",
        type=int,
        help="queries per name/word line (default --reps; 0 leaves those lines out)",
    )
    args = parser.parse_args()
    key = f"lib3_{args.entities}_{args.tags}_{args.links_per_entity}_{args.seed}"
    path = args.cache_dir / key
    done = path / ".bench_built"
    if not (args.reuse and done.exists()):
        if path.exists():
            import shutil

            shutil.rmtree(path)
        path.mkdir(parents=True)
        build_library(path, args.entities, args.tags, args.links_per_entity, args.seed)
        done.write_text("ok")
    else:
        print(f"reusing {path}")
    if args.backend == "postgresql":
        return both_backends(path, args)
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), f"on {os.cpu_count()} CPUs")
    asyncio.run(run_benchmarks(path, args.reps, args.naive_reps, args.seed))
    print("load average after:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


def both_backends(path: Path, args: argparse.Namespace) -> int:
    """Each line on SQLite, then on the server's copy of the same library, then side by side."""
    from pg_bench_server import bench_database, bench_server

    from tests.pg_server import unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        print(f"tag_bench: {reason}", file=sys.stderr)
        return 1
    server = bench_server(args.server_dir)
    try:
        url = bench_database(server, path, reuse=args.server_dir is not None)
        loads = [os.getloadavg()]
        print("--- SQLite", flush=True)
        asyncio.run(run_benchmarks(path, args.reps, args.naive_reps, args.seed, None, args.text_reps))
        lite = list(RESULTS)
        RESULTS.clear()
        loads.append(os.getloadavg())
        print("--- PostgreSQL", flush=True)
        asyncio.run(run_benchmarks(path, args.reps, args.naive_reps, args.seed, url, args.text_reps))
        loads.append(os.getloadavg())
    finally:
        server.shut_down() if args.server_dir is not None else server.stop()
    print_side_by_side(lite, list(RESULTS), loads)
    return 0


def print_side_by_side(
    lite: list[tuple[str, list[float], list[float]]],
    pg: list[tuple[str, list[float], list[float]]],
    loads: list[tuple[float, float, float]],
) -> None:
    print(f"\n{'ms':<36} {'SQLite p50':>10} {'p95':>8} | {'PG p50':>8} {'p95':>8} | PG/SQLite p50")
    for (name, ours, _), (pg_name, theirs, _) in zip(lite, pg, strict=True):
        assert name == pg_name
        ratio = statistics.median(theirs) / max(statistics.median(ours), 1e-6)
        print(
            f"{name:<36} {statistics.median(ours):10.2f} {pct(ours, 0.95):8.2f} |"
            f" {statistics.median(theirs):8.2f} {pct(theirs, 0.95):8.2f} | {ratio:5.2f}x"
            f"{'' if ratio <= 2 else '  (over 2x)'}"
        )
    print(
        "load average (1, 5, 15 min) before / between / after: "
        + " / ".join("{:.2f} {:.2f} {:.2f}".format(*load) for load in loads),
        f"on {os.cpu_count()} CPUs",
    )


if __name__ == "__main__":
    sys.exit(main())
