"""One workstation of the concurrency test (tests/test_shared_concurrency.py), in its own process.

`python tests/shared_worker.py URL FOLDER NAME` opens the shared library, prints "ready" and waits
for a line on stdin (so all workstations start together), then imports FOLDER, tags every file of
it (the one all workstations share included) with NAME and "studio", searches for NAME, and
prints one JSON line: the ids it tagged and the ids its search found.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from pathlib import Path


async def work(url: str, folder: Path, name: str) -> dict[str, list[int]]:
    from dam_desktop.use_cases import tags as tag_cases
    from dam_desktop.use_cases.assets import find_by_sha256
    from dam_desktop.use_cases.imports import import_files, prepare_decoders
    from dam_desktop.use_cases.search import search_ids
    from dam_desktop.world_setup import open_world

    prepare_decoders()
    world = await open_world(url)
    try:
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        report = await import_files(world, [folder])
        assert not report.failed, report.failed
        ids: set[int] = set()
        for path in sorted(folder.iterdir()):
            ids.update(await find_by_sha256(world, hashlib.sha256(path.read_bytes()).digest()))
        await tag_cases.add_tags(world, sorted(ids), [name, "studio"])
        found = await search_ids(world, name)
        return {"tagged": sorted(ids), "found": sorted(int(i) for i in found)}
    finally:
        await world.close()


if __name__ == "__main__":
    url, folder, name = sys.argv[1:4]
    print(json.dumps(asyncio.run(work(url, Path(folder), name))), flush=True)
