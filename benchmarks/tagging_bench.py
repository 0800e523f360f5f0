"""AI tagging throughput: batched zero-shot tagging against one image at a time, in one run (issue 6).

    .venv/bin/python benchmarks/tagging_bench.py                    # CPU, ViT-B-32, 64 images
    .venv/bin/python benchmarks/tagging_bench.py --device cuda --images 512
    .venv/bin/python benchmarks/tagging_bench.py --batch-size 32 --images 128

The model is open_clip's real ViT-B-32 architecture (88M parameters) with RANDOM weights: no
weights can be downloaded here, and throughput does not depend on the weight values, so the
figures hold for the trained `laion2b_s34b_b79k` model; the proposed tags themselves are noise.
It embeds the app's default tag vocabulary (all tags x all prompt templates) once, like the app,
then tags the same real JPEG files (drawn with Pillow, 640x480) twice, through the model thread
and the same `ZeroShotTagger.tag_files` the app calls (decode, preprocess, encode, score):

- batched, at the batch size the ModelExecutionManager picks for the device (or --batch-size);
- one image per call (batch size 1), the naive way.

It prints images/s for both, the speed-up, and peak memory of each phase: the process's resident
set (sampled every 5 ms) on the CPU, and torch's peak allocated memory on CUDA.

Then the app's way since one model serves search and tags: the images are embedded once (the
image-embedding stage), and tagging scores the stored vectors against the vocabulary
(`ml.embedding_tags`). It counts the vision-model calls and image decodes made while tagging
(both should be 0), and times re-tagging --stored (default 100,000) stored embeddings, against
re-running the vision model over them at the batched rate measured above. The load average is
printed with the figures: the machine may be shared.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageDraw

from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.ml.model_thread import get_model_thread
from dam_desktop.ml.open_clip_loader import OpenClipSpec, build_model
from dam_desktop.ml.zero_shot_tagger import ZeroShotTagger, load_vocabulary
from dam_desktop.services.tagging.tagging_service import (
    DEFAULT_TAGGING_MODEL,
    TAGGING_MODEL_IDENTIFIER,
    tagging_model_params,
)

MIB = 1024 * 1024


def make_images(folder: Path, count: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        image = Image.new("RGB", (640, 480), tuple(rng.randrange(256) for _ in range(3)))
        draw = ImageDraw.Draw(image)
        for _ in range(12):
            x, y = rng.randrange(600), rng.randrange(440)
            colour = tuple(rng.randrange(256) for _ in range(3))
            if rng.random() < 0.5:
                draw.ellipse((x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 200)), fill=colour)
            else:
                draw.rectangle((x, y, x + rng.randrange(20, 200), y + rng.randrange(20, 200)), fill=colour)
        path = folder / f"img-{i:04d}.jpg"
        image.save(path, quality=90)
        paths.append(path)
    return paths


class PeakRss:
    """Samples this process's resident set size in a thread; `.peak` after the block."""

    def __init__(self) -> None:
        import psutil

        self._proc = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            self._stop.wait(0.005)

    def __enter__(self) -> PeakRss:
        self.start = self._proc.memory_info().rss
        self.peak = self.start
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)


def timed_phase(device: str, fn: Callable[[], Any]) -> tuple[float, int, int, str]:
    """(seconds, bytes before, peak bytes, what they measure) for running fn on the model thread."""
    import torch  # noqa: TID251

    thread = get_model_thread()
    if device == "cuda":
        thread.submit(torch.cuda.synchronize).result()
        thread.submit(torch.cuda.reset_peak_memory_stats).result()
    with PeakRss() as rss:
        start = time.perf_counter()
        thread.submit(fn).result()
        if device == "cuda":
            thread.submit(torch.cuda.synchronize).result()
        elapsed = time.perf_counter() - start
    if device == "cuda":
        before = thread.submit(torch.cuda.memory_allocated).result()
        peak = thread.submit(torch.cuda.max_memory_allocated).result()
        return elapsed, int(before), int(peak), "CUDA allocated"
    return elapsed, rss.start, rss.peak, "process RSS"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--device", choices=["cpu", "cuda", "mps"], default="cpu")
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=0, help="default: the manager's choice")
    parser.add_argument("--model", default=DEFAULT_TAGGING_MODEL, help="open_clip ARCH/TAG (random weights)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: the app's choice)")
    parser.add_argument("--stored", type=int, default=100_000, help="stored embeddings to re-tag")
    parser.add_argument(
        "--tags",
        type=int,
        default=0,
        help="use only the first N vocabulary tags (quicker setup; default: all)",
    )
    args = parser.parse_args()

    import torch  # noqa: TID251

    os.environ["DAM_DESKTOP_DEVICE"] = args.device
    if args.device == "cuda" and not torch.cuda.is_available():
        print("CUDA requested but torch sees no CUDA device", file=sys.stderr)
        return 2
    thread = get_model_thread()
    if args.threads:
        thread.torch_threads = args.threads
    manager = ModelExecutionManager(runner=thread)
    params = tagging_model_params(args.model) if args.model == DEFAULT_TAGGING_MODEL else None
    item_mb = params.item_size_estimate_mb if params else 6.0
    fallback = params.fallback_batch_size if params else 16
    batch_size = args.batch_size or manager.get_optimal_batch_size(
        TAGGING_MODEL_IDENTIFIER, args.model, item_mb, fallback
    )
    threshold = params.threshold if params else 0.05
    max_tags = params.max_tags if params else 8

    spec = OpenClipSpec.parse(args.model)
    t0 = time.perf_counter()
    bundle = thread.submit(build_model, spec, None, args.device).result()
    vocabulary = load_vocabulary()
    if args.tags:
        vocabulary = dataclasses.replace(
            vocabulary, tags=vocabulary.tags[: args.tags], phrases=vocabulary.phrases[: args.tags]
        )
    tagger: ZeroShotTagger = thread.submit(ZeroShotTagger, bundle, vocabulary).result()
    setup_s = time.perf_counter() - t0
    device_name = (
        torch.cuda.get_device_name(0)
        if args.device == "cuda"
        else f"{platform.processor() or platform.machine()}"
    )

    with tempfile.TemporaryDirectory(prefix="dam-tagging-bench-") as tmp:
        paths = make_images(Path(tmp), args.images)
        # Warm-up: first calls allocate buffers and pick kernels.
        thread.submit(
            tagger.tag_files, paths[:batch_size], batch_size=batch_size, threshold=0, max_tags=1
        ).result()
        thread.submit(tagger.tag_files, paths[:1], batch_size=1, threshold=0, max_tags=1).result()

        def batched() -> None:
            for start in range(0, len(paths), batch_size):
                tagger.tag_files(
                    paths[start : start + batch_size],
                    batch_size=batch_size,
                    threshold=threshold,
                    max_tags=max_tags,
                )

        def one_at_a_time() -> None:
            for path in paths:
                tagger.tag_files([path], batch_size=1, threshold=threshold, max_tags=max_tags)

        # One at a time first: memory the process keeps after it (allocators rarely give it back)
        # is then the floor of the batched phase, whose peak shows what batching adds.
        single_s, single_before, single_peak, mem_kind = timed_phase(args.device, one_at_a_time)
        batch_s, batch_before, batch_peak, _ = timed_phase(args.device, batched)

    n = len(paths)
    params_m = sum(p.numel() for p in bundle.model.parameters()) / 1e6
    threads = torch.get_num_threads()
    print(f"model        {spec.name} architecture, random weights ({params_m:.0f}M parameters)")
    print(f"device       {args.device}: {device_name}; torch {torch.__version__}, {threads} threads")
    print(f"machine      {manager.resources.describe()}")
    print(
        f"vocabulary   {len(vocabulary.tags)} tags x {len(vocabulary.templates)} templates; "
        f"model + vocabulary ready in {setup_s:.1f} s"
    )
    print(f"images       {n} JPEG 640x480, decode + preprocess + encode + score")

    def memory(before: int, peak: int) -> str:
        return f"{mem_kind} {before / MIB:,.0f} MiB before, peak {peak / MIB:,.0f} MiB"

    print(
        f"batched      batch {batch_size:>3}: {n / batch_s:7.2f} images/s  ({batch_s:.2f} s)  "
        + memory(batch_before, batch_peak)
    )
    print(
        f"one-by-one   batch   1: {n / single_s:7.2f} images/s  ({single_s:.2f} s)  "
        + memory(single_before, single_peak)
    )
    print(f"speed-up     {single_s / batch_s:.2f}x")
    stored_embedding_phase(tagger, args, batch_size, n / batch_s, threshold, max_tags)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)")
    thread.shutdown()
    return 0


def stored_embedding_phase(
    tagger: ZeroShotTagger,
    args: argparse.Namespace,
    batch_size: int,
    vision_rate: float,
    threshold: float,
    max_tags: int,
) -> None:
    """Tag from stored embeddings: count vision calls and decodes, and time re-tagging `--stored`."""
    import numpy as np
    import PIL.Image

    from dam_desktop.ml.clip_embedder import ClipEmbedder
    from dam_desktop.ml.embedding_tags import tags_from_embeddings

    thread = get_model_thread()
    model = tagger.bundle.model
    with tempfile.TemporaryDirectory(prefix="dam-tagging-bench-") as tmp:
        paths = make_images(Path(tmp), min(args.images, 32), seed=11)
        vectors, _ = thread.submit(
            ClipEmbedder(tagger.bundle).encode_images, paths, batch_size=batch_size
        ).result()
    vocabulary = thread.submit(tagger.vocabulary_embedding).result()
    calls = {"vision": 0, "decode": 0}
    encode_image, image_open = model.encode_image, PIL.Image.open

    def counted_encode(*a: Any, **k: Any) -> Any:
        calls["vision"] += 1
        return encode_image(*a, **k)

    def counted_open(*a: Any, **k: Any) -> Any:
        calls["decode"] += 1
        return image_open(*a, **k)

    model.encode_image, PIL.Image.open = counted_encode, counted_open
    try:
        tags_from_embeddings(vectors, vocabulary, threshold=threshold, max_tags=max_tags)
    finally:
        model.encode_image, PIL.Image.open = encode_image, image_open
    print(
        f"after embed  tagging {len(vectors)} embedded images: {calls['vision']} vision-model calls, "
        f"{calls['decode']} image decodes"
    )
    rng = np.random.default_rng(3)
    stored = rng.standard_normal((args.stored, vocabulary.matrix.shape[1]), dtype=np.float32)
    stored /= np.linalg.norm(stored, axis=1, keepdims=True)
    start = time.perf_counter()
    tags_from_embeddings(stored, vocabulary, threshold=threshold, max_tags=max_tags)
    retag_s = time.perf_counter() - start
    print(
        f"re-tag       {args.stored:,} stored embeddings x {len(vocabulary.tags)} tags: {retag_s:.2f} s "
        f"({args.stored / retag_s:,.0f} images/s); the vision model again at the batched rate above: "
        f"{args.stored / vision_rate / 3600:.1f} h"
    )


if __name__ == "__main__":
    raise SystemExit(main())
