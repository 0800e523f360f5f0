"""The window's memory while it computes image embeddings, with a naive embedder in the same run.

    .venv/bin/python benchmarks/window_memory.py                      # tiny open_clip model, ~2 min
    .venv/bin/python benchmarks/window_memory.py --model vit-b-32     # ViT-B-32, random weights
    .venv/bin/python benchmarks/grid_bench.py ...                     # runs it too, last

Model weights cannot be downloaded here, so the model is open_clip's real architecture with
random weights, saved and imported through the app's own model import: `tiny` (a 2-layer ViT,
well under 1 MB: what the app itself holds) or `vit-b-32` (the catalogue's default architecture,
605 MB of weights: what a user's window holds). Memory does not depend on the weights' values.

The library holds the 16 WebP files of 4096x4096 of `import_memory.py` (imported beforehand). A
fresh process opens the real window on it (offscreen) and its background work embeds them; a
thread samples the resident memory of the window's process, and of its model worker (the child
process that holds torch and the models, `dam_desktop.ml.worker`) separately, every 20 ms until no
image waits for an embedding. The naive line embeds the same files with the same model in one
plain process, decoding each original in full (as the model's reader did before it decoded at a
reduced size). Target: the window under 800 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

TARGET_MB = 800.0
TINY = {
    "embed_dim": 32,
    "vision_cfg": {"image_size": 32, "layers": 2, "width": 64, "patch_size": 8, "head_width": 32},
    "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 2},
}


def rss_mb(field: str = "VmRSS", pid: int | str = "self") -> float:
    """A process's resident memory (`RssAnon`: without mapped library and model files)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # the worker ended between listing and reading
        return 0.0
    for line in status.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children_rss_mb() -> float:
    """Resident memory of this process's children (the model worker), summed."""
    import psutil

    return sum(rss_mb(pid=child.pid) for child in psutil.Process().children(recursive=True))


def child_floor(_library: Path) -> dict[str, Any]:
    """What the libraries the model worker loads hold before any work: torch, open_clip (with
    torchvision, timm, transformers) and sentence-transformers (MiniLM). The window held them
    itself before the worker."""
    import open_clip  # noqa: F401
    import sentence_transformers  # noqa: F401
    import torch  # noqa: TID251

    return {"rss_peak_mb": rss_mb(), "rss_anon_mb": rss_mb("RssAnon"), "torch": torch.__version__}


def make_model(work: Path, model: str) -> tuple[Path, Path]:
    """(a catalogue naming one model `bench-clip`, its random-weights checkpoint)."""
    import open_clip
    import torch  # noqa: TID251
    from safetensors.torch import save_file

    work.mkdir(parents=True, exist_ok=True)
    arch = "ViT-B-32" if model == "vit-b-32" else "dam-bench-tiny-vit"
    entry: dict[str, Any] = {
        "name": "bench-clip",
        "title": f"Benchmark CLIP ({arch}, random weights)",
        "tasks": ["image-search", "image-tags"],
        "family": "open_clip",
        "architecture": arch,
        "pretrained": "random-init",
        "dimensions": 512 if model == "vit-b-32" else 32,
        "hf_repo": "bench/clip",
        "hf_file": "open_clip_model.safetensors",
        "size_bytes": 0,
        "size_exact": False,
        "sha256": None,
        "licence": "MIT",
        "tag_threshold": 0.0,
        "max_tags": 3,
    }
    if model != "vit-b-32":
        config = work / f"{arch}.json"
        config.write_text(json.dumps(TINY))
        open_clip.add_model_config(config)
        entry["open_clip_config"] = config.name
    weights = work / f"{model}.safetensors"
    if not weights.is_file():
        torch.manual_seed(0)
        state = open_clip.create_model(arch, pretrained=None).state_dict()
        save_file({k: v.contiguous() for k, v in state.items()}, str(weights))
    entry["size_bytes"] = weights.stat().st_size
    catalogue = work / "catalogue.json"
    catalogue.write_text(json.dumps({"version": 1, "models": [entry]}))
    return catalogue, weights


def prepare_library(library: Path, pictures: Path, weights: Path) -> None:
    """The library with the pictures imported and `bench-clip` installed and chosen (no embeddings)."""
    from dam_desktop.ml.catalogue import get_entry
    from dam_desktop.ml.model_store import import_model
    from dam_desktop.services.ingest.import_service import import_paths
    from dam_desktop.use_cases.models import use_image_model
    from dam_desktop.world_setup import open_world

    import_model(get_entry("bench-clip"), weights)

    async def run() -> None:
        world = await open_world(library)
        try:
            report = await import_paths(world, [pictures])
            assert len(report.imported) == 16, report
            await use_image_model(world, "bench-clip")
        finally:
            await world.close()

    asyncio.run(run())


def waiting(library: Path) -> int:
    with sqlite3.connect(f"file:{library / 'dam.sqlite3'}?mode=ro", uri=True, timeout=30) as db:
        return int(db.execute("SELECT count(*) FROM component_marker_needs_embedding").fetchone()[0])


def child_window(library: Path) -> dict[str, Any]:
    import qasync
    from PySide6.QtWidgets import QApplication

    from dam_desktop.app import AppController, create_application
    from dam_desktop.library_opening import begin_opening
    from dam_desktop.services.search.sorting import SortKey

    samples: list[float] = []
    anon: list[float] = []
    worker: list[float] = []
    together: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(rss_mb())
            anon.append(rss_mb("RssAnon"))
            worker.append(children_rss_mb())
            together.append(samples[-1] + worker[-1])
            stop.wait(0.02)

    async def run() -> dict[str, Any]:
        controller = AppController()
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.setQuitOnLastWindowClosed(False)
        started = time.perf_counter()
        assert await controller.start(begin_opening(library, SortKey.ADDED, True))
        at_open = rss_mb()
        while waiting(library) > 0:
            await asyncio.sleep(0.2)
        seconds = time.perf_counter() - started
        at_end = rss_mb()
        assert controller.window is not None
        controller.window.close()
        await controller.shutdown()
        return {
            "seconds": seconds,
            "rss_open_mb": at_open,
            "rss_end_mb": at_end,
            "torch_in_window": "torch" in sys.modules,
        }

    threading.Thread(target=sample, daemon=True).start()
    create_application(["-platform", "offscreen"])
    result: dict[str, Any] = qasync.run(run())
    stop.set()
    result["rss_peak_mb"] = max(samples)
    result["rss_anon_peak_mb"] = max(anon)
    result["worker_peak_mb"] = max(worker)
    result["together_peak_mb"] = max(together)
    return result


def child_naive(library: Path) -> dict[str, Any]:
    """The same model through the app's loader; each original decoded in full, then preprocessed."""
    from PIL import Image

    from dam_desktop.ml.catalogue import get_entry
    from dam_desktop.ml.clip_embedder import ClipEmbedder
    from dam_desktop.ml.model_store import open_clip_spec
    from dam_desktop.ml.open_clip_loader import load_open_clip

    def full_decode(path: Path, _size: int) -> Any:
        with Image.open(path) as image:
            image.load()
            rgba = image.convert("RGBA")
            background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            return Image.alpha_composite(background, rgba).convert("RGB")

    files = sorted((library / "files").rglob("*"))
    files = [f for f in files if f.is_file()]
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(rss_mb())
            stop.wait(0.02)

    threading.Thread(target=sample, daemon=True).start()
    started = time.perf_counter()
    bundle = load_open_clip(open_clip_spec(get_entry("bench-clip")), device="cpu")
    vectors, failed = ClipEmbedder(bundle, open_image=full_decode).encode_images(files, batch_size=32)
    assert not failed and len(vectors) == len(files)
    stop.set()
    return {"seconds": time.perf_counter() - started, "rss_peak_mb": max(samples), "files": len(files)}


def run_child(kind: str, work: Path, library: Path) -> dict[str, Any]:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        HF_HUB_OFFLINE="1",
        XDG_CONFIG_HOME=str(work / "config"),
        XDG_RUNTIME_DIR=str(work / "run"),
        DAM_DESKTOP_MODEL_CATALOGUE=str(work / "model" / "catalogue.json"),
        DAM_DESKTOP_MODELS_DIR=str(work / "models"),
        PYTHONPATH=str(REPO),
    )
    (work / "run").mkdir(mode=0o700, exist_ok=True)
    command = [sys.executable, __file__, "--child", kind, str(library)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} run failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    stats: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return stats


def run(work: Path, model: str) -> dict[str, Any]:
    from import_memory import make_webps

    pictures = work / "huge-webp"
    if len(list(pictures.glob("*.webp"))) != 16:
        make_webps(pictures)
    env = {
        "DAM_DESKTOP_MODEL_CATALOGUE": str(work / "model" / "catalogue.json"),
        "DAM_DESKTOP_MODELS_DIR": str(work / "models"),
    }
    os.environ.update(env)
    _catalogue, weights = make_model(work / "model", model)
    library = work / f"lib-window-{model}"
    shutil.rmtree(library, ignore_errors=True)
    prepare_library(library, pictures, weights)
    return {
        "model": model,
        "weights_mb": weights.stat().st_size / 1e6,
        "floor": run_child("floor", work, library),
        "naive": run_child("naive", work, library),
        "window": run_child("window", work, library),
    }


def report(result: dict[str, Any]) -> str:
    window, naive, floor = result["window"], result["naive"], result["floor"]
    verdict = "met" if window["rss_peak_mb"] < TARGET_MB else "MISSED"
    return "\n".join(
        [
            f"window memory while embedding 16 WebP images of 4096x4096, open_clip {result['model']} "
            f"(random weights, {result['weights_mb']:.0f} MB), CPU",
            f"  naive embedder (one process, full decodes)  {naive['seconds']:6.1f} s  "
            f"peak RSS {naive['rss_peak_mb']:5.0f} MB",
            f"  dam-desktop window                          {window['seconds']:6.1f} s  "
            f"peak RSS {window['rss_peak_mb']:5.0f} MB"
            f" (at open {window['rss_open_mb']:.0f}, after {window['rss_end_mb']:.0f}; "
            f"torch imported in it: {window['torch_in_window']})"
            f"  target < {TARGET_MB:.0f} MB: {verdict}",
            f"  its model worker (a child process), peak RSS {window['worker_peak_mb']:.0f} MB; "
            f"window and worker together at most {window['together_peak_mb']:.0f} MB; "
            f"the window's anonymous memory at most {window['rss_anon_peak_mb']:.0f} MB",
            f"  the worker's libraries alone (torch {floor['torch']}, open_clip, sentence-transformers "
            f"imported, nothing run): {floor['rss_peak_mb']:.0f} MB "
            f"({floor['rss_anon_mb']:.0f} MB anonymous)",
            f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", choices=("tiny", "vit-b-32"), default="tiny")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it (pictures and weights reused)")
    parser.add_argument("--child", choices=("window", "naive", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("library", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child = {"window": child_window, "naive": child_naive, "floor": child_floor}[args.child]
        print(json.dumps(child(Path(args.library))))
        return 0
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="dam-window-memory-"))
    try:
        print(report(run(work, args.model)))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
