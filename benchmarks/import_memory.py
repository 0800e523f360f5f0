"""Memory of importing huge images: 16 WebP files of 4096x4096 (a quarter with transparency).

    .venv/bin/python benchmarks/import_memory.py            # about a minute
    .venv/bin/python benchmarks/import_bench.py             # runs it too, after the speed lines

Each run is a fresh process; the parent samples the resident memory of the child and of every
process under it (so worker processes would count too; the import's workers are threads) every
10 ms, and the child reports its own high-water mark (VmHWM), which catches peaks shorter than a
sample. Lines:

- ours: `import_paths` into a fresh library (one decode per file, a thumbnail and perceptual
  hashes from it), then the non-model stages (image descriptors ...), as the window runs them;
- naive: the same files through a thread pool of the same size, each thread: Pillow open, full
  decode, `exif_transpose`, copy, `thumbnail` (what the import did before it budgeted decodes).

Target: ours under 400 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SIDE = 4096
FILES = 16
TARGET_MB = 400.0


def make_webps(folder: Path, count: int = FILES, side: int = SIDE) -> list[Path]:
    """Photo-like pictures (smooth colour fields and grain), every fourth with an alpha channel."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for index in range(count):
        rng = np.random.default_rng(index)
        small = (rng.random((side // 128 + 2, side // 128 + 2, 3)) * 255).astype(np.uint8)
        picture = Image.fromarray(small, "RGB").resize((side, side), Image.Resampling.BILINEAR)
        grain = Image.effect_noise((side, side), 24).convert("RGB")
        picture = Image.blend(picture, grain, 0.15)
        if index % 4 == 3:
            picture.putalpha(Image.radial_gradient("L").resize((side, side)))
        path = folder / f"huge-{index:02}.webp"
        picture.save(path, "WEBP", quality=80, method=0)
        made.append(path)
    return made


def _own_peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child_ours(folder: str, library: str) -> dict[str, Any]:
    from dam_desktop.core.stages import MODEL_STAGES
    from dam_desktop.services.ingest.import_service import import_paths
    from dam_desktop.use_cases.pipeline import run_stages
    from dam_desktop.world_setup import open_world

    async def run() -> dict[str, Any]:
        world = await open_world(library)
        try:
            start = time.perf_counter()
            report = await import_paths(world, [folder])
            stages = [s for s in world.scheduler.stages if s not in MODEL_STAGES]
            await run_stages(world, stages)
            seconds = time.perf_counter() - start
        finally:
            await world.close()
        assert not report.failed, report.failed
        return {"files": len(report.imported), "seconds": seconds}

    return asyncio.run(run())


def _naive_one(path: Path) -> None:
    with Image.open(path) as image:
        image.load()
        upright = ImageOps.exif_transpose(image)
        thumb = upright.copy()
        thumb.thumbnail((256, 256), Image.Resampling.LANCZOS)
        thumb.save(path.with_suffix(".thumb.webp"), "WEBP")


def child_naive(folder: str, _library: str) -> dict[str, Any]:
    from dam_desktop.utils.cpu_pool import cpu_worker_count

    files = sorted(Path(folder).glob("*.webp"))
    start = time.perf_counter()
    with ThreadPoolExecutor(cpu_worker_count()) as pool:
        list(pool.map(_naive_one, files))
    for thumb in Path(folder).glob("*.thumb.webp"):
        thumb.unlink()
    return {"files": len(files), "seconds": time.perf_counter() - start}


CHILDREN = {"ours": child_ours, "naive": child_naive}


def _tree_rss_mb(pid: int) -> float:
    import psutil

    try:
        root = psutil.Process(pid)
        members = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / (1024 * 1024)


def run_child(kind: str, folder: Path, library: Path) -> dict[str, Any]:
    """Run one line in a fresh process, sampling its process tree's RSS meanwhile."""
    command = [sys.executable, __file__, "--child", kind, "--library", str(library), str(folder)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_mb(child.pid))
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = child.communicate()
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"{kind} run failed (exit {child.returncode}):\n{err}")
    stats: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    stats["tree_peak_mb"] = max(peak, stats["own_peak_mb"])
    return stats


def run(work: Path) -> dict[str, dict[str, Any]]:
    folder = work / "huge-webp"
    if not folder.is_dir() or len(list(folder.glob("*.webp"))) != FILES:
        make_webps(folder)
    shutil.rmtree(work / "lib-huge", ignore_errors=True)
    return {
        "naive": run_child("naive", folder, work / "unused"),
        "ours": run_child("ours", folder, work / "lib-huge"),
    }


def report(results: dict[str, dict[str, Any]]) -> str:
    ours, naive = results["ours"], results["naive"]
    verdict = "met" if ours["tree_peak_mb"] < TARGET_MB else "MISSED"
    return "\n".join(
        [
            f"huge images: {FILES} WebP files of {SIDE}x{SIDE} (every fourth with alpha), fresh processes",
            f"  naive (full decode per thread)  {naive['seconds']:6.1f} s  peak RSS of the process tree "
            f"{naive['tree_peak_mb']:5.0f} MB",
            f"  dam-desktop import + stages     {ours['seconds']:6.1f} s  peak RSS of the process tree "
            f"{ours['tree_peak_mb']:5.0f} MB  target < {TARGET_MB:.0f} MB: {verdict}",
            f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (the files are reused)")
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--library", help=argparse.SUPPRESS)
    parser.add_argument("folder", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        stats = CHILDREN[args.child](args.folder, args.library)
        stats["own_peak_mb"] = _own_peak_mb()
        print(json.dumps(stats))
        return 0
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="dam-import-memory-"))
    try:
        print(report(run(work)))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
