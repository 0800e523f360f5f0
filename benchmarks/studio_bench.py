"""SQLite library versus shared PostgreSQL library, the same work on the same machine (issue 20).

    .venv/bin/python benchmarks/studio_bench.py                       # 100k assets, quick
    .venv/bin/python benchmarks/studio_bench.py --entities 1000000 --reuse

Builds tag_bench.py's synthetic library (Zipf tags, ~6 links per asset, 0.5% trashed) as a library
folder, then copies every table into a fresh database on a PostgreSQL server started for the run
(Debian's `postgresql`, a Unix socket in a temp folder, durable as shipped: see `pg_bench_server`;
the copy is COPY with triggers off, then VACUUM ANALYZE). Then each line runs the same service
call, as the app makes it, against both backends and prints p50/p95 milliseconds side by side with
the ratio, and beside them a naive baseline in the same run (on SQLite): listing by fetching every
row object, counts by probing the trash per row, tag queries with one EXISTS per term and no
planning.

The last lines are 10 clients searching (two-tag pages) while 2 clients import 100 small PNG
files each: on PostgreSQL 12 worlds (12 connections, as 12 workstations would hold); on SQLite the
importers share the one writer world (the library lock allows one writing process) and the
searchers are read-only worlds. It prints the searches' p50/p95 under that load and the import
throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg_bench_server import bench_database, bench_server
from sqlalchemy import text
from tag_bench import build_library, log_uniform_rank, naive_count_sql, naive_page_sql, pct, render

from dam_desktop.core.world import World
from dam_desktop.services.browse import browse_service
from dam_desktop.services.search import search_service
from dam_desktop.services.tags import tag_service
from tests.import_media_factory import make_png
from tests.pg_server import unavailable_reason

Timed = Callable[[World], Awaitable[Any]]
NOT_TRASHED = "NOT EXISTS (SELECT 1 FROM component_trashed t WHERE t.entity_id = fp.entity_id)"


# --- measuring --------------------------------------------------------------------------------


async def samples(world: World, fn: Timed, reps: int) -> list[float]:
    out = []
    await fn(world)  # warm
    for _ in range(reps):
        t0 = time.perf_counter()
        await fn(world)
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):8.2f} {pct(values, 0.95):8.2f}"


def line(name: str, lite: list[float], pg: list[float], naive: list[float] | None) -> None:
    ratio = statistics.median(pg) / max(statistics.median(lite), 1e-6)
    base = fmt(naive) if naive else "       -        -"
    print(f"{name:<34} {fmt(lite)} | {fmt(pg)} | {ratio:5.2f}x | {base}", flush=True)


async def run(path: Path, url: str, reps: int, naive_reps: int, seed: int, work: Path) -> None:
    lite = await World.open(path)
    pg = await World.open_shared(url, path)
    rng = random.Random(seed + 1)
    try:
        async with lite.session() as s:
            names = [
                str(r[0])
                for r in (
                    await s.execute(text("SELECT tag_name FROM component_tag_concept ORDER BY entity_id"))
                ).all()
            ]

        def tag(rank: int) -> str:
            return names[rank - 1]

        queries = []
        for _ in range(reps):
            a, b = tag(log_uniform_rank(rng, 2000)), tag(log_uniform_rank(rng, 2000))
            queries.append([("tag", a), ("tag", b if b != a else tag(1))])
        mixed = [
            [("tag", tag(log_uniform_rank(rng, 2000))), ("not", tag(rng.randint(1, 50))), ("width>", "1000")]
            for _ in range(reps)
        ]

        def cycling(items: list[Any]) -> Callable[[], Any]:
            state = {"i": 0}

            def nxt() -> Any:
                state["i"] += 1
                return items[state["i"] % len(items)]

            return nxt

        # Searches read in read sessions, as the search use cases (and the grid) read.
        def search_page(pick: Callable[[], Any]) -> Timed:
            async def fn(world: World) -> None:
                async with world.read_session() as s:
                    await search_service.search(s, render(pick()), limit=100)

            return fn

        def search_count(pick: Callable[[], Any]) -> Timed:
            async def fn(world: World) -> None:
                async with world.read_session() as s:
                    await search_service.count(s, render(pick()))

            return fn

        def naive_sql(make: Callable[[Any], tuple[str, dict[str, Any]]], pick: Callable[[], Any]) -> Timed:
            async def fn(world: World) -> None:
                sql, params = make(pick())
                async with world.session() as s:
                    (await s.execute(text(sql), params)).all()

            return fn

        async def listing(world: World) -> None:
            async with world.session() as s:
                await browse_service.asset_ids(s)

        async def naive_listing(world: World) -> None:
            async with world.session() as s:
                rows = (
                    await s.execute(
                        text(
                            f"SELECT fp.entity_id FROM component_file_properties fp WHERE {NOT_TRASHED}"
                            " ORDER BY fp.entity_id DESC"
                        )
                    )
                ).all()
                [int(r[0]) for r in rows]

        async def counts(world: World) -> None:
            async with world.session() as s:
                await browse_service.library_counts(s)

        async def naive_counts(world: World) -> None:
            async with world.session() as s:
                (
                    await s.execute(
                        text(
                            "SELECT asset_type, count(*) FROM component_file_properties fp"
                            f" WHERE {NOT_TRASHED} GROUP BY asset_type"
                        )
                    )
                ).all()

        prefixes = cycling(["ka", "mo", "character:", "ti", "s"])

        async def complete(world: World) -> None:
            async with world.session() as s:
                await tag_service.autocomplete(s, prefixes())

        bulk_n = 10_000

        async def bulk_tag(world: World) -> None:
            async with world.session() as s:
                lo = int((await s.scalar(text("SELECT min(entity_id) FROM component_file_properties"))) or 0)
                await tag_service.add_tags(s, range(lo, lo + bulk_n), ["bench-bulk"])
                await s.rollback()

        print(
            "load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), f"on {os.cpu_count()} CPUs"
        )
        print(
            f"{'ms':<34} {'SQLite p50':>8} {'p95':>8} | {'PG p50':>8} {'p95':>8} | PG/SQ  |"
            " naive(SQLite) p50 p95"
        )
        lines: list[tuple[str, Timed, Timed | None, int]] = [
            ("list every asset (date added)", listing, naive_listing, max(3, reps // 4)),
            ("status bar counts", counts, naive_counts, reps),
            (
                "two-tag AND, first page",
                search_page(cycling(queries)),
                naive_sql(naive_page_sql, cycling(queries)),
                reps,
            ),
            (
                "two-tag AND, count",
                search_count(cycling(queries)),
                naive_sql(naive_count_sql, cycling(queries)),
                reps,
            ),
            (
                "tag -tag width:>1000, first page",
                search_page(cycling(mixed)),
                naive_sql(naive_page_sql, cycling(mixed)),
                reps,
            ),
            ("autocomplete a tag", complete, None, reps),
            (f"bulk-tag {bulk_n:,} assets (rolled back)", bulk_tag, None, max(3, reps // 8)),
        ]
        for name, ours, naive, n in lines:
            lite_s = await samples(lite, ours, n)
            pg_s = await samples(pg, ours, n)
            naive_s = await samples(lite, naive, min(naive_reps, n)) if naive is not None else None
            line(name, lite_s, pg_s, naive_s)
        await concurrent_lines(path, url, lite, queries, work)
        print("load average after:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    finally:
        await lite.close()
        await pg.close()


async def concurrent_lines(path: Path, url: str, lite: World, queries: list[Any], work: Path) -> None:
    """10 clients searching while 2 import 100 PNGs each, on each backend."""
    for i in range(200):
        make_png(work / "drop" / f"c{i // 100}" / f"p{i:03}.png", (32, 24), seed=10_000 + i)
    from dam_desktop.services.ingest.import_service import import_paths

    async def one(backend: str) -> tuple[list[float], float]:
        if backend == "sqlite":
            searchers = [await World.open_read_only(path) for _ in range(10)]
            importers = [lite, lite]
        else:
            searchers = [await World.open_shared(url) for _ in range(10)]
            importers = [await World.open_shared(url) for _ in range(2)]
        done = asyncio.Event()
        latencies: list[float] = []

        async def searching(world: World, k: int) -> None:
            i = k
            while not done.is_set():
                t0 = time.perf_counter()
                async with world.read_session() as s:  # as the search use cases read
                    await search_service.search(s, render(queries[i % len(queries)]), limit=100)
                latencies.append((time.perf_counter() - t0) * 1000.0)
                i += 1

        tasks = [asyncio.create_task(searching(w, k)) for k, w in enumerate(searchers)]
        t0 = time.perf_counter()
        reports = await asyncio.gather(
            *(import_paths(w, [work / "drop" / f"c{n}"], mode="reference") for n, w in enumerate(importers))
        )
        seconds = time.perf_counter() - t0
        done.set()
        await asyncio.gather(*tasks)
        imported = sum(len(r.imported) + r.duplicates for r in reports)
        for w in searchers:
            await w.close()
        if backend != "sqlite":
            for w in importers:
                await w.close()
        return latencies, imported / seconds

    lite_lat, lite_rate = await one("sqlite")
    pg_lat, pg_rate = await one("postgresql")
    line("10 searching while 2 import: page", lite_lat, pg_lat, None)
    print(f"{'  import rate while searched (files/s)':<34} {lite_rate:17.1f} | {pg_rate:17.1f} |", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--tags", type=int, default=20_000)
    parser.add_argument("--links-per-entity", type=float, default=6.0)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--naive-reps", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "dam_studio_bench")
    parser.add_argument("--reuse", action="store_true", help="reuse a library folder built earlier")
    parser.add_argument(
        "--server-dir",
        type=Path,
        help="keep the PostgreSQL server's data here and reuse its copy of the library on later runs "
        "(default: a throwaway server in a temp folder)",
    )
    args = parser.parse_args()
    reason = unavailable_reason()
    if reason is not None:
        print(f"studio_bench: {reason}", file=sys.stderr)
        return 1
    path = args.cache_dir / f"lib_{args.entities}_{args.tags}_{args.links_per_entity}_{args.seed}"
    if not (args.reuse and (path / ".bench_built").exists()):
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        build_library(path, args.entities, args.tags, args.links_per_entity, args.seed)
        (path / ".bench_built").write_text("ok")
    server = bench_server(args.server_dir)
    try:
        url = bench_database(server, path, reuse=args.server_dir is not None)
        with tempfile.TemporaryDirectory(prefix="dam-studio-bench-") as work:
            asyncio.run(run(path, url, args.reps, args.naive_reps, args.seed, Path(work)))
    finally:
        server.shut_down() if args.server_dir is not None else server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
