"""Import benchmark: dam-desktop's import pipeline against a naive importer, on the same files.

    .venv/bin/python benchmarks/import_bench.py            # N=48 images + audio, ~1-2 minutes
    .venv/bin/python benchmarks/import_bench.py --n 400    # bigger
    .venv/bin/python benchmarks/import_bench.py --large    # N=600

It makes N real JPEGs (half 12 MP, half 2 MP photos-like pictures) and N/8 sounds (30 s stereo
WAV and FLAC), then measures, each run in its own process so peak RSS is the run's own:

- ours: `import_paths` into a fresh library (copy mode: hash, sniff, probe, perceptual hash,
  thumbnail, durable copy into the store, batched database writes);
- ours on the 12 MP JPEGs alone, for thumbnails/s of big photos;
- ours on 2N files, to show peak memory stays flat as N grows;
- ours on 4N JPEGs of 640x480, for files/s where the decoder's own scaling matters most;
- naive: per file, sha256 by a separate read, then Pillow open -> full decode -> resize -> save
  (a waveform from a full `soundfile.read` for sounds), one file after another;
- video: poster frames per second from 1080p H.264 clips, ours against a naive poster decoded from
  the start (`import_bench_video.py`, which also runs alone);
- huge images: peak memory of the whole process tree importing 16 WebP files of 4096x4096,
  against a naive decoder in the same run (`import_memory.py`, which also runs alone).

Files are made from a few decoded pictures with a unique trailer after the JPEG end marker, so
every file has its own content hash but generating them stays quick.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

BIG = (4000, 3000)  # 12 MP
SMALL = (1632, 1224)  # 2 MP
VGA = (640, 480)  # web and phone-screenshot size: small enough that the JPEG decoder's scaling matters
VARIANTS = 4  # distinct pictures per size; files differ by a trailer after the JPEG's end


def _photo_like(size: tuple[int, int], seed: int) -> Image.Image:
    """Smooth gradients, shapes and a little grain: compresses like a photo, unlike pure noise."""
    rng = np.random.default_rng(seed)
    width, height = size
    small = rng.random((height // 64 + 2, width // 64 + 2, 3)) * 255
    base = Image.fromarray(small.astype(np.uint8), "RGB").resize(size, Image.Resampling.BICUBIC)
    pixels = np.asarray(base, dtype=np.int16)
    pixels = pixels + rng.integers(-12, 12, size=pixels.shape, dtype=np.int16)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def _jpeg_bytes(size: tuple[int, int], seed: int) -> bytes:
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Bench"
    exif[0x0110] = "Camera"
    _photo_like(size, seed).save(buffer, "JPEG", quality=88, exif=exif.tobytes())
    return buffer.getvalue()


def _sound_bytes(seed: int, fmt: str) -> bytes:
    rng = np.random.default_rng(seed)
    rate, seconds = 44100, 30
    t = np.arange(rate * seconds) / rate
    tone = 0.3 * np.sin(2 * np.pi * (110 + 40 * seed % 400) * t) * (0.5 + 0.5 * np.sin(t))
    data = np.stack([tone, tone * 0.8], axis=1) + rng.normal(0, 0.02, (len(t), 2))
    buffer = io.BytesIO()
    sf.write(buffer, data.astype(np.float32), rate, format=fmt, subtype="PCM_16")
    return buffer.getvalue()


Originals = tuple[list[bytes], list[bytes], list[bytes]]


def make_originals() -> Originals:
    bigs = [_jpeg_bytes(BIG, seed) for seed in range(VARIANTS)]
    smalls = [_jpeg_bytes(SMALL, 100 + seed) for seed in range(VARIANTS)]
    sounds = [_sound_bytes(seed, "WAV" if seed % 2 == 0 else "FLAC") for seed in range(2)]
    return bigs, smalls, sounds


def make_dataset(folder: Path, n: int, originals: Originals) -> dict[str, list[Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    bigs, smalls, sounds = originals
    files: dict[str, list[Path]] = {"big": [], "small": [], "audio": []}
    for index in range(n):
        kind, pool = ("big", bigs) if index % 2 == 0 else ("small", smalls)
        path = folder / kind / f"{kind}-{index:05}.jpg"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(pool[index % VARIANTS] + f"bench-{index}".encode())
        files[kind].append(path)
    for index in range(max(n // 8, 1)):
        data = sounds[index % 2]
        ext = "wav" if index % 2 == 0 else "flac"
        path = folder / "audio" / f"sound-{index:05}.{ext}"
        path.parent.mkdir(exist_ok=True)
        # WAV and FLAC readers stop at their data's end, so a trailer makes the bytes unique.
        path.write_bytes(data + f"bench-{index}".encode())
        files["audio"].append(path)
    return files


def make_vga(folder: Path, n: int) -> Path:
    """n 640x480 JPEGs (four pictures, each file made unique by a trailer)."""
    folder.mkdir(parents=True, exist_ok=True)
    pictures = [_jpeg_bytes(VGA, 200 + seed) for seed in range(VARIANTS)]
    for index in range(n):
        (folder / f"vga-{index:05}.jpg").write_bytes(pictures[index % VARIANTS] + f"bench-{index}".encode())
    return folder


def _peak_rss_mb() -> float:
    # VmHWM is this program's own peak; ru_maxrss on Linux can carry the parent's from before exec.
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / (1024 * 1024)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_ours(sources: list[str], library: str, workers: int | None) -> dict[str, Any]:
    from dam_desktop.services.ingest.import_service import import_paths
    from dam_desktop.world_setup import open_world

    async def run() -> dict[str, Any]:
        world = await open_world(library)
        try:
            # Warm up as a running app would be: decoders and encoders loaded, SQL statements
            # compiled. Costs once per process, not per file.
            with tempfile.TemporaryDirectory() as warm:
                (Path(warm) / "warm.jpg").write_bytes(_jpeg_bytes((64, 48), 1))
                sf.write(Path(warm) / "warm.wav", np.zeros(800, dtype=np.float32), 8000)
                await import_paths(world, [warm], workers=workers)
            start, cpu_start = time.perf_counter(), _cpu_seconds()
            report = await import_paths(world, sources, workers=workers)
            elapsed, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
        finally:
            await world.close()
        assert not report.failed, report.failed
        return {
            "files": len(report.imported) + report.duplicates,
            "thumbnails": report.thumbnails_made,
            "seconds": elapsed,
            "cpu_seconds": cpu,
        }

    return asyncio.run(run())


def _naive_one(path: Path, out: Path) -> None:
    hashlib.sha256(path.read_bytes()).hexdigest()
    if path.suffix == ".jpg":
        with Image.open(path) as image:
            image.load()
            image.convert("RGB").resize((256, 192), Image.Resampling.LANCZOS).save(out, "WEBP")
        return
    data, _ = sf.read(path, dtype="float32", always_2d=True)
    mono = data.mean(axis=1)
    columns = np.array_split(mono, 256)
    peaks = np.array([[c.min(), c.max()] for c in columns])
    picture = np.zeros((128, 256), dtype=np.uint8)
    for x, (low, high) in enumerate(peaks):
        picture[int((1 - high) * 63.5) : int((1 - low) * 63.5) + 1, x] = 255
    Image.fromarray(picture, "L").save(out, "WEBP")


def child_naive(sources: list[str], _library: str, _workers: int | None) -> dict[str, Any]:
    files = sorted(p for s in sources for p in Path(s).rglob("*") if p.is_file())
    out_dir = Path(tempfile.mkdtemp(prefix="naive-thumbs-"))
    try:
        with tempfile.TemporaryDirectory() as warm:  # the same warm-up as ours
            (Path(warm) / "warm.jpg").write_bytes(_jpeg_bytes((64, 48), 1))
            _naive_one(Path(warm) / "warm.jpg", Path(warm) / "warm.webp")
        start, cpu_start = time.perf_counter(), _cpu_seconds()
        for index, path in enumerate(files):
            _naive_one(path, out_dir / f"{index}.webp")
        elapsed, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    return {"files": len(files), "thumbnails": len(files), "seconds": elapsed, "cpu_seconds": cpu}


CHILDREN = {"ours": child_ours, "naive": child_naive}


def run_child(
    kind: str, sources: list[Path], library: Path, workers: int | None, tree: Path | None = None
) -> dict[str, Any]:
    """One run in its own process; `tree`: import dam_desktop from that checkout instead of this one."""
    command = [sys.executable, __file__, "--child", kind, "--library", str(library)]
    if workers:
        command += ["--workers", str(workers)]
    if tree is not None:
        command += ["--tree", str(tree)]
    command += [str(s) for s in sources]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
    if result.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{result.stderr}")
    stats: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    stats["load"] = os.getloadavg()[0]
    stats["bytes"] = sum(p.stat().st_size for s in sources for p in s.rglob("*") if p.is_file())
    return stats


def describe(name: str, stats: dict[str, Any]) -> str:
    seconds = stats["seconds"]
    return (
        f"{name:<34} {stats['files']:>5} files {seconds:7.2f} s  {stats['files'] / seconds:7.1f} files/s  "
        f"{stats['bytes'] / seconds / 1e6:7.1f} MB/s  {stats['thumbnails'] / seconds:6.1f} thumbnails/s  "
        f"{stats['cpu_seconds'] / stats['files'] * 1000:6.0f} ms CPU/file  "
        f"peak RSS {stats['peak_rss_mb']:5.0f} MB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--n", type=int, default=48, help="number of JPEGs (half 12 MP, half 2 MP); default 48"
    )
    parser.add_argument("--large", action="store_true", help="N=600")
    parser.add_argument("--workers", type=int, default=None, help="import threads (default: one per core)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (default: a temp folder)")
    parser.add_argument("--video-clips", type=int, default=4, help="1080p clips for the video line (0: none)")
    parser.add_argument(
        "--targets",
        type=int,
        metavar="R",
        help="only issue 14's two targets: R interleaved rounds of naive and ours "
        "on N/2 12 MP and 4N 640x480 JPEGs",
    )
    parser.add_argument(
        "--against",
        metavar="DIR",
        action="append",
        default=[],
        help="with --targets: also run the importer of another checkout (say, main's) in each round",
    )
    parser.add_argument(
        "--only", choices=["12 MP", "640x480"], default="", help="with --targets: one of the two corpora"
    )
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("--tree", help=argparse.SUPPRESS)
    parser.add_argument("--library", help=argparse.SUPPRESS)
    parser.add_argument("sources", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        if args.tree:  # before anything imports dam_desktop
            sys.path.insert(0, str(Path(args.tree).resolve()))
        stats = CHILDREN[args.child](args.sources, args.library, args.workers)
        stats["peak_rss_mb"] = _peak_rss_mb()
        print(json.dumps(stats))
        return 0

    n = 600 if args.large else args.n
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="dam-import-bench-"))
    if args.targets:
        try:
            from import_targets import run_targets

            against = [Path(d) for d in args.against]
            return run_targets(work, n, args.targets, args.workers, against, args.only)
        finally:
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    try:
        print(f"making {n} JPEGs (12 MP and 2 MP) and {max(n // 8, 1)} sounds, and twice that for 2N ...")
        made = time.perf_counter()
        originals = make_originals()
        files = make_dataset(work / "data", n, originals)
        make_dataset(work / "data-2n", 2 * n, originals)
        vga = make_vga(work / "data-vga", 4 * n)
        total_mb = sum(p.stat().st_size for group in files.values() for p in group) / 1e6
        print(f"  {total_mb:.0f} MB in {time.perf_counter() - made:.0f} s; {os.cpu_count()} CPU cores\n")

        data = work / "data"
        results = {
            "naive": run_child("naive", [data], work / "unused", None),
            "ours": run_child("ours", [data], work / "lib-ours", args.workers),
            "naive 12 MP": run_child("naive", [data / "big"], work / "unused", None),
            "ours 12 MP": run_child("ours", [data / "big"], work / "lib-big", args.workers),
            "ours 2N": run_child("ours", [work / "data-2n"], work / "lib-2n", args.workers),
            "naive 640x480": run_child("naive", [vga], work / "unused", None),
            "ours 640x480": run_child("ours", [vga], work / "lib-vga", args.workers),
        }
        labels = {
            "naive": f"naive baseline, N={n} (+audio)",
            "ours": f"dam-desktop import, N={n} (+audio)",
            "naive 12 MP": "naive baseline, 12 MP JPEGs only",
            "ours 12 MP": "dam-desktop import, 12 MP JPEGs only",
            "ours 2N": f"dam-desktop import, 2N={2 * n} (+audio)",
            "naive 640x480": f"naive baseline, {4 * n} JPEGs of 640x480",
            "ours 640x480": f"dam-desktop import, {4 * n} JPEGs of 640x480",
        }
        for key, stats in results.items():
            print(describe(labels[key], stats))

        def rate(key: str) -> float:
            return float(results[key]["files"] / results[key]["seconds"])

        def cpu_per_file(key: str) -> float:
            return float(results[key]["cpu_seconds"] / results[key]["files"])

        print()
        print(f"overall speed-up over the naive baseline: {rate('ours') / rate('naive'):.1f}x (target >= 3x)")
        print(
            f"CPU time per file, naive / ours: {cpu_per_file('naive') / cpu_per_file('ours'):.1f}x "
            "(the part of the speed-up that does not depend on free cores; the rest is the worker threads)"
        )
        print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        big = results["ours 12 MP"]
        cores = os.cpu_count() or 1
        print(
            f"thumbnails/s on 12 MP JPEGs: {big['thumbnails'] / big['seconds']:.1f} (target >= 30); "
            f"naive {rate('naive 12 MP'):.1f}; CPU-bound on {cores} idle cores: "
            f"{cores / cpu_per_file('ours 12 MP'):.1f} ours, {1 / cpu_per_file('naive 12 MP'):.1f} naive"
        )
        print(
            f"files/s on 640x480 JPEGs: {rate('ours 640x480'):.1f} (target >= 200); "
            f"naive {rate('naive 640x480'):.1f}; CPU-bound on {cores} idle cores: "
            f"{cores / cpu_per_file('ours 640x480'):.1f} ours, {1 / cpu_per_file('naive 640x480'):.1f} naive"
        )
        print(
            f"peak RSS: N={n}: {results['ours']['peak_rss_mb']:.0f} MB, "
            f"2N={2 * n}: {results['ours 2N']['peak_rss_mb']:.0f} MB "
            "(flat: the library is never held in memory)"
        )
        if args.video_clips:
            from import_bench_video import report
            from import_bench_video import run as run_video

            print()
            (work / "video").mkdir(exist_ok=True)
            print(report(run_video(args.video_clips, 20.0, work / "video"), args.video_clips, 20.0))
        from import_memory import report as memory_report
        from import_memory import run as run_memory

        print()
        print(memory_report(run_memory(work)))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
