"""How the 256 px thumbnails are shrunk and encoded, chosen by measurement.

    .venv/bin/python benchmarks/webp_settings.py

Makes the import benchmark's photo-like JPEGs (640x480, 2 MP and 12 MP), decodes each as the
import does (JPEG draft at the thumbnail's aspect ratio), then measures per thumbnail, in CPU time
(the best of five rounds, so other jobs on the machine barely move it):

- the shrink to 256 px with Lanczos, bicubic and bilinear (`thumbnails.thumbnail_filter` picks
  one by how much the picture shrinks), and how far each is from Lanczos (mean absolute
  difference, 0-255 levels);
- the WebP encode at libwebp's methods 0-6 and qualities 70-85: CPU ms, bytes and PSNR against
  the unencoded thumbnail. Pillow's defaults (method 4, quality 80) are the baseline row.
"""

from __future__ import annotations

import functools
import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_bench import BIG, SMALL, VGA, _jpeg_bytes  # noqa: E402

from dam_desktop.services.media.media_probe import draft_box  # noqa: E402
from dam_desktop.services.media.thumbnails import (  # noqa: E402
    WEBP_METHOD,
    WEBP_QUALITY,
    fitted_size,
    thumbnail_filter,
)

ROUNDS = 5
FILTERS = {
    "lanczos": Image.Resampling.LANCZOS,
    "bicubic": Image.Resampling.BICUBIC,
    "bilinear": Image.Resampling.BILINEAR,
}


def _best_ms(work: Callable[[], object], count: int) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.thread_time()
        work()
        best = min(best, time.thread_time() - start)
    return best / count * 1000


def _decoded(size: tuple[int, int], seeds: range) -> list[Image.Image]:
    pictures: list[Image.Image] = []
    for seed in seeds:
        image = Image.open(io.BytesIO(_jpeg_bytes(size, seed)))
        image.draft("RGB", draft_box(image.size))
        image.load()
        pictures.append(image)
    return pictures


def _encode(image: Image.Image, quality: int, method: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=quality, method=method)
    return buffer.getvalue()


def _psnr(original: Image.Image, encoded: bytes) -> float:
    a = np.asarray(original, dtype=np.float64)
    b = np.asarray(Image.open(io.BytesIO(encoded)).convert(original.mode), dtype=np.float64)
    return float(10 * np.log10(255**2 / max(((a - b) ** 2).mean(), 1e-9)))


def _shrink_lines(label: str, decoded: list[Image.Image]) -> list[Image.Image]:
    """Print the shrink's cost and drift per filter; returns the Lanczos thumbnails."""
    target = fitted_size(decoded[0].size)

    def shrink(resample: Image.Resampling) -> list[Image.Image]:
        return [p.resize(target, resample, reducing_gap=2.0) for p in decoded]

    lanczos = shrink(Image.Resampling.LANCZOS)
    for name, resample in FILTERS.items():
        ms = _best_ms(functools.partial(shrink, resample), len(decoded))
        pairs = zip(shrink(resample), lanczos, strict=True)
        drift = np.mean([np.abs(np.asarray(a, float) - np.asarray(b, float)).mean() for a, b in pairs])
        used = " (used)" if resample == thumbnail_filter(decoded[0].size, target) else ""
        shape = f"{decoded[0].size} -> {target}"
        print(f"  {label:8} {shape}  {name:8} {ms:5.2f} ms  {drift:4.2f} from lanczos{used}")
    return lanczos


def _encode_line(thumbnails: list[Image.Image], method: int, quality: int) -> str:
    def encode_all() -> list[bytes]:
        return [_encode(t, quality, method) for t in thumbnails]

    ms = _best_ms(encode_all, len(thumbnails))
    encoded = encode_all()
    size = sum(map(len, encoded)) / len(encoded)
    psnr = np.mean([_psnr(t, e) for t, e in zip(thumbnails, encoded, strict=True)])
    note = "used" if (method, quality) == (WEBP_METHOD, WEBP_QUALITY) else ""
    note = note or ("baseline: Pillow's default" if (method, quality) == (4, 80) else "")
    return f"| {method} | {quality} | {ms:.2f} | {size:.0f} | {psnr:.2f} | {note} |"


def main() -> int:
    thumbnails: list[Image.Image] = []
    print("shrink to 256 px, CPU ms per picture (best of 5 rounds):")
    for label, size in (("640x480", VGA), ("2 MP", SMALL), ("12 MP", BIG)):
        thumbnails.extend(_shrink_lines(label, _decoded(size, range(4))))
    print(f"\nWebP encode of {len(thumbnails)} thumbnails, per thumbnail:")
    print("| method | quality | CPU ms | bytes | PSNR dB | |")
    print("|---:|---:|---:|---:|---:|---|")
    for method in (0, 1, 2, 4, 6):
        for quality in (70, 75, 80, 85):
            print(_encode_line(thumbnails, method, quality))
    print(f"\nload average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
