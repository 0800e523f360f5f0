"""The video line of `import_bench.py`: poster frames per second from 1080p H.264 clips, dam-desktop's
video probe against a naive poster that decodes from the start to the same point, in one run.

    .venv/bin/python benchmarks/import_bench_video.py            # 4 clips of 20 s, ~1-2 minutes
    .venv/bin/python benchmarks/import_bench_video.py --clips 8

Ours is `video_probe.probe` as the import runs it: open, read the streams' facts, seek to the
keyframe before 20% of the clip, decode forward to 20%, scale the frame to the thumbnail (and try
40%, 60%, 10% only when the picture is flat). The naive poster decodes every frame from the start
until 20%, then converts that one. Both decode with FFmpeg's frame threads, and each is called
once untimed first (module imports, decoder set-up). The clips are made here
with libx264 (a keyframe every 2 s, as phones and cameras write them).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SIZE = (1920, 1080)
FPS = 30
GOP_SECONDS = 2
POSTER_AT = 0.2


def make_clip(path: Path, seconds: float, seed: int) -> Path:
    """A 1080p H.264 clip of a moving colourful scene (a few pictures, shifted every frame)."""
    import av

    rng = np.random.default_rng(seed)
    width, height = SIZE
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    bases = []
    for _ in range(4):
        a, b, c = rng.uniform(2, 9, 3)
        rgb = np.stack(
            np.broadcast_arrays(
                0.5 + 0.5 * np.sin(a * x), 0.5 + 0.5 * np.sin(b * y + 1), 0.5 + 0.5 * np.cos(c * (x + y))
            ),
            axis=-1,
        )
        bases.append((rgb * 255).astype(np.uint8))
    with av.open(str(path), "w") as container:
        stream = container.add_stream(
            "libx264", rate=FPS, options={"preset": "ultrafast", "g": str(FPS * GOP_SECONDS)}
        )
        stream.width, stream.height = SIZE
        stream.pix_fmt = "yuv420p"
        for index in range(int(seconds * FPS)):
            pixels = np.roll(bases[(index // FPS) % len(bases)], index * 7, axis=1)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            frame.time_base = Fraction(1, FPS)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def naive_poster(path: Path) -> Image.Image:
    """Decode from the first frame until 20% of the clip; that frame, scaled to a thumbnail."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_type = "AUTO"
        target = float(stream.duration * stream.time_base) * POSTER_AT
        for frame in container.decode(stream):
            if frame.time is not None and frame.time >= target:
                image = frame.to_image()
                image.thumbnail((256, 256))
                return image
    raise RuntimeError("no frame at the poster's time")


def ours_poster(path: Path) -> Image.Image:
    from dam_desktop.services.media.video_probe import probe
    from dam_desktop.utils.media_utils import MP4

    return probe(path, MP4).thumbnail


def run(clips: int, seconds: float, work: Path) -> dict[str, float]:
    print(f"making {clips} H.264 clips of {seconds:.0f} s at 1920x1080, {FPS} fps ...", flush=True)
    made = time.perf_counter()
    paths = [make_clip(work / f"clip-{n}.mp4", seconds, n) for n in range(clips)]
    print(f"  made in {time.perf_counter() - made:.0f} s\n", flush=True)
    timings = {"ours": 0.0, "naive": 0.0}
    # Warm-up, not timed: the first call of each loads its modules and FFmpeg's decoders.
    ours_poster(paths[0])
    naive_poster(paths[0])
    for path in paths:  # interleaved, so both see the same machine
        for name, poster in (("ours", ours_poster), ("naive", naive_poster)):
            start = time.perf_counter()
            picture = poster(path)
            timings[name] += time.perf_counter() - start
            assert max(picture.size) == 256
    return {name: clips / total for name, total in timings.items()}


def report(rates: dict[str, float], clips: int, seconds: float) -> str:
    return (
        f"video poster frames/s at 1080p H.264 ({clips} clips of {seconds:.0f} s, keyframe every "
        f"{GOP_SECONDS} s, poster at {POSTER_AT:.0%}): ours {rates['ours']:.1f}, naive decode-from-start "
        f"{rates['naive']:.2f} ({rates['ours'] / rates['naive']:.0f}x); "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clips", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dam-video-bench-") as work:
        rates = run(args.clips, args.seconds, Path(work))
    print(report(rates, args.clips, args.seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
