"""Many workstations on one shared library at once: a real PostgreSQL server and real processes."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from dam_desktop.core import MarkedEntityList, SystemStage, World, system
from dam_desktop.core.change_feed import CHANNEL, decode
from dam_desktop.use_cases import tags as tag_cases
from dam_desktop.use_cases.library import library_counts
from dam_desktop.world_setup import open_world
from tests.import_media_factory import make_png
from tests.kernel_fixtures import TEST_TABLES, NeedsProcessingMarker, make_marked_entities

REPO_ROOT = Path(__file__).resolve().parent.parent
STAGE = SystemStage.METADATA_EXTRACTION
WORKERS = 3
OWN_FILES = 4


async def test_two_workstations_claim_disjoint_batches_of_the_same_markers(
    shared_library_url: str, tmp_path: Path
) -> None:
    first = await World.open_shared(shared_library_url, tmp_path / "store")
    second = await World.open_shared(shared_library_url)
    try:
        async with first.engine.begin() as conn:
            for table in TEST_TABLES:
                await conn.run_sync(table.create)
        ids = await make_marked_entities(first, 6)
        claims: dict[str, list[int]] = {"first": [], "second": []}
        inside, gate = asyncio.Event(), asyncio.Event()

        @system(stage=STAGE, batch_size=2)
        async def slow(entities: MarkedEntityList[NeedsProcessingMarker]) -> None:
            claims["first"].extend(e.id for e in entities)
            inside.set()
            await gate.wait()

        @system(stage=STAGE, batch_size=2)
        async def quick(entities: MarkedEntityList[NeedsProcessingMarker]) -> None:
            claims["second"].extend(e.id for e in entities)

        first.register_system(slow)
        second.register_system(quick)
        running = asyncio.ensure_future(first.execute_stage(STAGE))
        await inside.wait()  # the first workstation holds its first batch, not committed yet
        await second.execute_stage(STAGE)
        gate.set()
        await running

        assert claims["first"] == ids[:2]
        assert claims["second"] == ids[2:], "the second skipped the batch the first holds"
        assert not set(claims["first"]) & set(claims["second"])
    finally:
        await first.close()
        await second.close()


async def test_three_workstations_import_tag_and_search_at_once_and_lose_nothing(
    shared_library_url: str, tmp_path: Path
) -> None:
    import psycopg

    store = tmp_path / "store"
    setup = await World.open_shared(shared_library_url, store)  # records the store for all
    await setup.close()
    folders = []
    for n in range(WORKERS):
        folder = tmp_path / f"drop-{n}"
        make_png(folder / "everyone.png", seed=99)  # the same bytes on every workstation
        for k in range(OWN_FILES):
            make_png(folder / f"own-{k}.png", seed=1000 * (n + 1) + k)
        folders.append(folder)

    listener = psycopg.connect("postgresql://" + shared_library_url.split("://", 1)[1], autocommit=True)
    listener.execute(f"LISTEN {CHANNEL}")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    worker_script = str(REPO_ROOT / "tests" / "shared_worker.py")
    workers = [
        subprocess.Popen(
            [sys.executable, worker_script, shared_library_url, str(f), f"worker-{n}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
            env=env,
        )
        for n, f in enumerate(folders)
    ]
    try:
        for worker in workers:  # every one has the library open and listens before any starts
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready", worker.stderr.read() if worker.stderr else ""
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        outputs = [worker.communicate(timeout=240) for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    for worker, (_out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]

    senders: set[str] = set()
    for notice in listener.notifies(timeout=10, stop_after=None):
        decoded = decode(notice.payload)
        if decoded is not None:
            senders.add(decoded[0])
        if len(senders) == WORKERS:
            break
    listener.close()
    assert len(senders) == WORKERS, f"notifications came from {sorted(senders)} only"

    world = await open_world(shared_library_url)
    try:
        counts = await library_counts(world)
        assert counts.assets == 1 + WORKERS * OWN_FILES, "the file all three imported is one asset"
        shared = set.intersection(*(set(r["tagged"]) for r in results))
        assert len(shared) == 1
        on_shared = await tag_cases.tags_of_selection(world, sorted(shared))
        names = {t.name for t in on_shared.all}
        assert names == {"studio", *(f"worker-{n}" for n in range(WORKERS))}, "no tag edit was lost"
        for n, result in enumerate(results):
            assert len(result["tagged"]) == 1 + OWN_FILES
            assert set(result["tagged"]) <= set(result["found"]), f"worker-{n} found what it tagged"
        studio = [t for t in await tag_cases.find_tags(world, "studio") if t.name == "studio"]
        assert len(studio) == 1, "three workstations creating one tag name made one tag"
        assert studio[0].use_count == 1 + WORKERS * OWN_FILES
    finally:
        await world.close()
