"""Tagging a whole search result: the query tagged in SQL (Select All in the window) against the
id-list way (every matching id read, then tagged by id), on tag_bench's 100k-asset library.

    .venv/bin/python benchmarks/result_edit_bench.py [--cache-dir DIR] [--runs 3]

Each run tags the result, then undoes it (the undo is timed too), so the library ends as it began.
Prints wall and CPU time of each way and the load average.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


async def bench(library: Path, query: str, runs: int) -> None:
    from dam_desktop.services.search import search_service
    from dam_desktop.services.tags import tag_service
    from dam_desktop.use_cases import tags
    from dam_desktop.use_cases.tags import ResultScope
    from dam_desktop.world_setup import open_world

    world = await open_world(library)
    try:
        for n in range(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            edit = await tags.add_tags_to_result(world, ResultScope(query), [f"bench-result-{n}"])
            ours = (time.perf_counter() - wall, time.process_time() - cpu)
            wall, cpu = time.perf_counter(), time.process_time()
            await tags.undo_result_edit(world, edit)
            undo = (time.perf_counter() - wall, time.process_time() - cpu)

            wall, cpu = time.perf_counter(), time.process_time()
            async with world.session() as session:
                ids = await search_service.search(session, query, limit=None)
                listed = await tag_service.add_tags(session, ids, [f"bench-ids-{n}"])
                await session.commit()
            naive = (time.perf_counter() - wall, time.process_time() - cpu)
            wall, cpu = time.perf_counter(), time.process_time()
            await tags.undo_edit(world, listed, removal=False)
            naive_undo = (time.perf_counter() - wall, time.process_time() - cpu)
            assert edit.count == len(listed) == len(ids)
            print(
                f"run {n + 1}: {edit.count:,} assets | query: tag {ours[0]:.2f} s (cpu {ours[1]:.2f}),"
                f" undo {undo[0]:.2f} s (cpu {undo[1]:.2f}) | naive id list: tag {naive[0]:.2f} s"
                f" (cpu {naive[1]:.2f}), undo {naive_undo[0]:.2f} s (cpu {naive_undo[1]:.2f})"
            )
    finally:
        await world.close()


def main() -> int:
    from cli_bench import ensure_library

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--query", default="", help='the tag query (default "": every asset)')
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "dam_cli_bench")
    args = parser.parse_args()
    library = ensure_library(args.cache_dir, args.entities)
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), f"on {os.cpu_count()} CPUs")
    asyncio.run(bench(library, args.query, args.runs))
    print("load average after:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
