"""Import memory against library size: the same batch of files imported into a library holding
10,000 assets and into one holding 1,000,000; the peak RSS of each should be within 20%.

    .venv/bin/python benchmarks/import_scale_memory.py                      # 10k and 1M, 2,000 files
    .venv/bin/python benchmarks/import_scale_memory.py --seed-from LIB      # 1M rows copied from LIB

The libraries are seeded with raw SQL as `grid_bench.py` builds its own (entities, file
properties, hashes, locations; no thumbnails), once, under the work folder; each run imports into
a fresh copy of the seed's database file. The batch is 640x480 JPEGs, each distinct. Each line is a
fresh process reporting its own high-water mark (VmHWM) over the import and then the background
stages the window runs with no button (all but the models'), its RSS once the world is open, the
import's own peak, and the import's time. Lines:

- ours: the world's SQLite settings as shipped;
- before (the naive baseline): the settings this measurement replaced, a 2 GiB memory map and a
  64 MiB page cache per connection.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

BEFORE_PRAGMAS = {"cache_size": "-65536", "mmap_size": "2147483648"}
TARGET_RATIO = 1.2


def _status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(folder: str, library: str, settings: str) -> dict[str, Any]:
    if settings == "before":
        from dam_desktop.core import database

        database.SQLITE_PRAGMAS = tuple(
            (name, BEFORE_PRAGMAS.get(name, value)) for name, value in database.SQLITE_PRAGMAS
        )
    from dam_desktop.core.stages import MODEL_STAGES
    from dam_desktop.services.ingest.import_service import import_paths
    from dam_desktop.use_cases.pipeline import run_stages
    from dam_desktop.world_setup import open_world

    async def run() -> dict[str, Any]:
        world = await open_world(library)
        try:
            opened = _status_mb("VmRSS")
            start, cpu_start = time.perf_counter(), time.process_time()
            report = await import_paths(world, [folder])
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
            imported = _status_mb("VmHWM")
            # Then the background work the window runs with no button, but the models' stages.
            await run_stages(world, [s for s in world.scheduler.stages if s not in MODEL_STAGES])
        finally:
            await world.close()
        assert not report.failed, report.failed
        return {
            "files": len(report.imported),
            "seconds": seconds,
            "opened_mb": opened,
            "import_mb": imported,
            "cpu": cpu,
        }

    stats = asyncio.run(run())
    stats["peak_mb"] = _status_mb("VmHWM")
    return stats


def seed(work: Path, count: int, seed_from: Path | None) -> Path:
    """A library database of `count` assets (built once, or copied from `seed_from`)."""
    import grid_bench

    root = work / f"seed-{count}"
    if (root / "bench-count.txt").is_file():
        return root / "dam.sqlite3"
    if seed_from is not None:
        root.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(seed_from / "dam.sqlite3", root / "dam.sqlite3")
        (root / "bench-count.txt").write_text(str(count))
        return root / "dam.sqlite3"
    print(f"seeding a library of {count:,} assets…", flush=True)
    grid_bench.build_library(root, count, thumbnails=False)
    return root / "dam.sqlite3"


def run_line(work: Path, seed_db: Path, batch: Path, settings: str) -> dict[str, Any]:
    library = work / "run"
    shutil.rmtree(library, ignore_errors=True)
    library.mkdir(parents=True)
    shutil.copyfile(seed_db, library / "dam.sqlite3")
    command = [sys.executable, __file__, "--child", settings, "--library", str(library), str(batch)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
    shutil.rmtree(library, ignore_errors=True)
    if result.returncode != 0:
        raise SystemExit(f"{settings} run failed:\n{result.stderr}")
    stats: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--counts", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--files", type=int, default=2_000, help="files in the imported batch")
    parser.add_argument("--work", type=Path, default=Path("/tmp/dam-import-scale"), help="kept and reused")
    parser.add_argument("--seed-from", type=Path, help="a bench library of the largest count to copy")
    parser.add_argument("--lines", nargs="+", default=["ours", "before"], choices=["ours", "before"])
    parser.add_argument("--child", choices=["ours", "before"], help=argparse.SUPPRESS)
    parser.add_argument("--library", help=argparse.SUPPRESS)
    parser.add_argument("folder", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.folder, args.library, args.child)))
        return 0

    from import_bench import make_vga

    args.work.mkdir(parents=True, exist_ok=True)
    batch = args.work / f"batch-{args.files}"
    if not batch.is_dir():
        make_vga(batch, args.files)
    largest = max(args.counts)
    seeds = {n: seed(args.work, n, args.seed_from if n == largest else None) for n in args.counts}
    results: dict[tuple[str, int], dict[str, Any]] = {}
    for settings in args.lines:
        for count in args.counts:
            stats = run_line(args.work, seeds[count], batch, settings)
            results[(settings, count)] = stats
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            print(
                f"{settings:6} {count:>9,} assets: peak {stats['peak_mb']:6.0f} MB"
                f"  (open {stats['opened_mb']:4.0f} MB, import alone {stats['import_mb']:4.0f} MB)"
                f"  {stats['files']} files in {stats['seconds']:5.1f} s ({stats['cpu']:.1f} s CPU)"
                f"   load {load}",
                flush=True,
            )
    for settings in args.lines:
        peaks = [results[(settings, n)]["peak_mb"] for n in args.counts]
        ratio = max(peaks) / min(peaks)
        verdict = "held" if ratio <= TARGET_RATIO else "MISSED"
        print(f"{settings}: largest/smallest peak {ratio:.2f} (target <= {TARGET_RATIO}: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
