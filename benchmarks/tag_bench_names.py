"""tag_bench's name and word lines alone (`tag_bench_text.text_term_lines`), on a library folder
and on its copy on a PostgreSQL server, side by side, with the load average.

    python benchmarks/tag_bench_names.py --library <a tag_bench library> --server-dir <folder> --reps 10

The whole `tag_bench.py --backend postgresql` run takes an hour at 1M assets; this one, minutes.
Each line has tag_bench's naive baseline (LIKE or GLOB over every name) in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pg_bench_server import bench_database, bench_server
from sqlalchemy import text
from tag_bench import RESULTS, print_side_by_side, report, timed
from tag_bench_text import text_term_lines

from dam_desktop.core.world import World


async def lines(library: Path, url: str | None, reps: int, naive_reps: int) -> None:
    world = await (World.open_shared(url, library) if url else World.open(library))
    try:
        async with world.session() as s:
            rows = await s.execute(text("SELECT tag_name FROM component_tag_concept ORDER BY entity_id"))
            names = [str(r[0]) for r in rows.all()]
        await text_term_lines(world, names, random.Random(8), reps, naive_reps, timed, report)
    finally:
        await world.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--library", type=Path, required=True, help="a library tag_bench.py built")
    parser.add_argument("--server-dir", type=Path, help="keep the server (and its copy) here")
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--naive-reps", type=int, default=1)
    args = parser.parse_args()
    server = bench_server(args.server_dir)
    try:
        url = bench_database(server, args.library, reuse=args.server_dir is not None)
        loads = [os.getloadavg()]
        asyncio.run(lines(args.library, None, args.reps, args.naive_reps))
        lite = list(RESULTS)
        RESULTS.clear()
        loads.append(os.getloadavg())
        asyncio.run(lines(args.library, url, args.reps, args.naive_reps))
        loads.append(os.getloadavg())
    finally:
        server.shut_down() if args.server_dir is not None else server.stop()
    print_side_by_side(lite, list(RESULTS), loads)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
