"""The streamed-result lines of `tag_bench.py` (issue 14): how long the window waits before a
search's first screen, and how long its exact count takes beside it, for a broad query (`type:image
-<top tag>`, about 650k of 1M), two popular tags OR-ed and one popular tag; then whether a sort of
the broad result by name blocks the world while it runs (tile facts read meanwhile); then the
first screen of the whole library and of a popular tag by date taken, dimensions, duration and
rating (issue 19), read from each order's index.

The naive baseline is what the window did before: list every matching id (`search_ids`, through
the world's session), then show the first screen. For the media orders it is the same ORDER BY
with no index to read it from (`NOT INDEXED`): a sort of every matching asset.

    .venv/bin/python benchmarks/tag_bench_stream.py <library built by tag_bench.py> [--reps N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from dam_desktop.core.sql_dialect import planned
from dam_desktop.core.world import World
from dam_desktop.services.browse.browse_sql import NOT_TRASHED
from dam_desktop.services.search.paging import following_limit
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.use_cases.library import tile_infos
from dam_desktop.use_cases.result_pages import FIRST_SCREEN, count_result, next_page, open_search
from dam_desktop.use_cases.search import search_ids

Timed = Callable[[Callable[[], Awaitable[Any]]], Awaitable[float]]
Report = Callable[[str, float, list[float], list[float]], None]

FIRST_SCREEN_MS = 30
# No target in the issue: a count runs beside the grid and never holds it up. The line says how
# long "about N" shows.
COUNT_MS = 2_000
# Tile facts for a screen while a 655k-id sort runs on a read connection.
BESIDE_SORT_MS = 30


async def stream_lines(
    world: World,
    names: list[str],
    rng: random.Random,
    reps: int,
    naive_reps: int,
    timed: Timed,
    report: Report,
) -> None:
    def tag(rank: int) -> str:
        return names[rank - 1]

    kinds = {
        "broad": [f"type:image -{tag(rng.randint(1, 2))}" for _ in range(reps)],
        "two popular tags OR": [f"{tag(rng.randint(1, 3))} | {tag(rng.randint(4, 8))}" for _ in range(reps)],
        "one popular tag": [tag(rng.randint(1, 3)) for _ in range(reps)],
    }
    orders = {kind: SortKey.ADDED for kind in kinds}
    kinds["broad, by name"], orders["broad, by name"] = kinds["broad"], SortKey.NAME
    kinds["popular tag, by size"], orders["popular tag, by size"] = kinds["one popular tag"], SortKey.SIZE
    for kind, queries in kinds.items():
        sort = orders[kind]
        results: list[Any] = []
        sizes: list[int] = []

        async def first(q: str, results: list[Any] = results, sort: SortKey = sort) -> None:
            results.append(await open_search(world, q, sort=sort))

        ours = [await timed(lambda q=q: first(q)) for q in queries]
        base = [await timed(lambda q=q, o=sort: search_ids(world, q, sort=o)) for q in queries[:naive_reps]]
        report(f"first screen, {kind}", FIRST_SCREEN_MS, ours, base)

        async def count(r: Any, sizes: list[int] = sizes) -> None:
            sizes.append(await count_result(world, r.query))

        if sort is not SortKey.ADDED:
            continue  # the same counts as in date order
        counted = [await timed(lambda r=r: count(r)) for r in results[: max(3, naive_reps)]]
        report(f"full count, {kind}", COUNT_MS, counted, base)
        print(f"  ({kind}: {min(sizes):,} to {max(sizes):,} matches; estimates {results[0].estimate:,})")

    # The broad result by name: every page sorts ~650k rows on a read connection. Tile facts (the
    # world's session, as the grid reads them) must not wait for it.
    async with world.session() as s:
        rows = await s.execute(text("SELECT entity_id FROM component_file_properties LIMIT 200"))
        some = [int(r[0]) for r in rows]
    sorting = asyncio.ensure_future(_stream_all(world, kinds["broad"][0], SortKey.NAME))
    beside = []
    while not sorting.done() and len(beside) < reps:
        beside.append(await timed(lambda: tile_infos(world, some)))
        await asyncio.sleep(0.01)
    alone = [await timed(lambda: tile_infos(world, some)) for _ in range(min(naive_reps, len(beside) or 1))]
    sorted_ms = await sorting
    report("tile facts beside a 650k sort", BESIDE_SORT_MS, beside or alone, alone)
    print(f"  (the broad result streamed whole by name in {sorted_ms:.0f} ms, off the world's loop)")
    await media_sort_lines(world, names, reps, naive_reps, timed, report)


async def media_sort_lines(
    world: World, names: list[str], reps: int, naive_reps: int, timed: Timed, report: Report
) -> None:
    """The first screen by date taken, dimensions, duration and rating, in both directions, of
    the whole library and of the most popular tag; the baseline sorts the same rows unindexed."""
    for sort in (SortKey.TAKEN, SortKey.DIMENSIONS, SortKey.DURATION, SortKey.RATING):
        for query, descending in (("", True), ("", False), (names[0], True)):
            where = NOT_TRASHED + (f" AND {_tagged(names[0])}" if query else "")
            naive = (
                f"SELECT fp.entity_id FROM component_file_properties fp NOT INDEXED WHERE {where}"
                f" ORDER BY {sort.order_by(descending)} LIMIT {FIRST_SCREEN}"
            )

            async def first(q: str = query, s: SortKey = sort, d: bool = descending) -> None:
                await open_search(world, q, sort=s, descending=d)

            async def sorted_all(sql: str = naive) -> None:
                async with world.session() as session:
                    (await session.execute(text(planned(session, sql)))).all()  # hints dropped on PG

            ours = [await timed(first) for _ in range(reps)]
            base = [await timed(sorted_all) for _ in range(naive_reps)]
            scope = "popular tag" if query else "all"
            name = f"first screen, {scope}, {sort.value} {'desc' if descending else 'asc'}"
            report(name, FIRST_SCREEN_MS, ours, base)


def _tagged(tag: str) -> str:
    escaped = tag.replace("'", "''")
    return (
        "EXISTS (SELECT 1 FROM component_entity_tag_link l JOIN component_tag_concept c"
        " ON c.entity_id = l.tag_concept_entity_id"
        f" WHERE l.entity_id = fp.entity_id AND c.tag_name = '{escaped}')"
    )


def fill_sort_copies(db: sqlite3.Connection) -> None:
    """What migration 0021's triggers would have copied into the file properties for the
    bulk-loaded rows (the facts the grid's date taken, dimensions, duration and rating orders read)."""
    db.execute(
        "UPDATE component_file_properties SET"
        " sort_taken_at = (SELECT i.exif_datetime FROM component_image_properties i"
        " WHERE i.entity_id = component_file_properties.entity_id),"
        " sort_pixels = (SELECT CAST(i.width AS BIGINT) * i.height FROM component_image_properties i"
        " WHERE i.entity_id = component_file_properties.entity_id),"
        " sort_duration = (SELECT a.duration_seconds FROM component_audio_properties a"
        " WHERE a.entity_id = component_file_properties.entity_id),"
        " sort_rating = (SELECT nullif(m.rating, 0) FROM component_asset_marks m"
        " WHERE m.entity_id = component_file_properties.entity_id)"
    )


async def _stream_all(world: World, query: str, sort: SortKey) -> float:
    import time

    t0 = time.perf_counter()
    result = await open_search(world, query, sort=sort)
    cursor, previous = result.first.next, len(result.first.ids)
    while cursor is not None:
        page = await next_page(world, cursor, following_limit(sort, previous))
        cursor, previous = page.next, len(page.ids)
    return (time.perf_counter() - t0) * 1000.0


def main() -> int:
    from tag_bench import report, timed

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("library", type=Path)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--naive-reps", type=int, default=4)
    args = parser.parse_args()
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), f"on {os.cpu_count()} CPUs")

    async def run() -> None:
        world = await World.open(args.library)
        try:
            async with world.session() as s:
                names = [
                    str(r[0])
                    for r in await s.execute(
                        text("SELECT tag_name FROM component_tag_concept ORDER BY use_count DESC, entity_id")
                    )
                ]
            await stream_lines(world, names, random.Random(11), args.reps, args.naive_reps, timed, report)
        finally:
            await world.close()

    asyncio.run(run())
    print("load average after:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
