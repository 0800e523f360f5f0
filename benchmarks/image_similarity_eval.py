"""Weights-free "find similar image": does each near-copy find its original first?

    python3 scripts/build_wallpaper_corpus.py --out ~/wallpaper-corpus
    python benchmarks/image_similarity_eval.py ~/wallpaper-corpus [--distractors 2000]

Every original gets four near-copies (half size, JPEG quality 60, 5% cropped, a small colour
shift), as `tests/test_duplicates.py` makes them. All pictures go through what the import does:
a ~256 px thumbnail first, the descriptor from that. For each copy the rest of the set (originals,
all copies, and `--distractors` random-blob pictures) is ranked by each descriptor:

- recall@1: the original ranks first (the copy's own siblings count as wrong answers);
- recall@1 without siblings: the original ranks first once the copy's siblings are left out;
- margin: the worst original's score minus the best other wallpaper's, over the copies (> 0 means
  every copy could be told from the other wallpapers by one threshold).

The stored pHash (Hamming distance) is the baseline, in the same run.

Then the duplicate finder's grouping on the same pictures (distractors included): pHash pairs by
multi-index hashing at 10 and 12 bits, alone and confirmed by the wavelet signatures; a wallpaper
is right when one group holds it and all its copies and nothing else. (Distractors that come out
alike are blurred gradients of close colours: alike indeed, and counted apart.)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFilter

from dam_desktop.services.media.thumbnails import shrink_image
from dam_desktop.services.similarity.duplicate_groups import MIN_SIGNATURE_SIMILARITY, connected_groups
from dam_desktop.services.similarity.hash_index import near_pairs
from dam_desktop.services.similarity.wavelet_signature import (
    LAYOUT_WEIGHT,
    SignatureMatrix,
    compute_signature,
    pair_similarities,
    similarities,
    to_bytes,
)
from dam_desktop.utils.media_utils import perceptual_hashes

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the copies the tests make
from tests.near_copies import COPIES, near_copy


def distractor(rng: np.random.Generator) -> Image.Image:
    """A picture of soft coloured blobs on a gradient: wallpaper-like, unrelated to any original."""
    w, h = 480, 270
    top, bottom = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    ramp = np.linspace(0, 1, h)[:, None, None]
    pixels = (top * (1 - ramp) + bottom * ramp).repeat(w, axis=1).astype(np.uint8)
    image = Image.fromarray(pixels, "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(2, 7))):
        x, y, r = int(rng.integers(0, w)), int(rng.integers(0, h)), int(rng.integers(15, 120))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    return image.filter(ImageFilter.GaussianBlur(int(rng.integers(0, 12))))


Ranker = Callable[[int], npt.NDArray[np.float64]]  # row -> similarity to every row (higher closer)


def wavelet_ranker(thumbs: list[Image.Image], layout_weight: float = LAYOUT_WEIGHT) -> Ranker:
    signatures = [compute_signature(t) for t in thumbs]
    matrix = SignatureMatrix.of([to_bytes(s) for s in signatures])
    return lambda row: similarities(signatures[row], matrix, layout_weight).astype(np.float64)


def phash_ranker(thumbs: list[Image.Image]) -> Ranker:
    hashes = np.array([perceptual_hashes(t)[0] & (2**64 - 1) for t in thumbs], dtype=np.uint64)
    return lambda row: -np.bitwise_count(hashes ^ hashes[row]).astype(np.float64)


def evaluate(name: str, ranker: Ranker, labels: list[str], kinds: list[str]) -> None:
    hits = hits_alone = 0
    margins: list[float] = []
    per_kind: dict[str, int] = dict.fromkeys(COPIES, 0)
    for row, kind in enumerate(kinds):
        if kind == "original":
            continue
        scores = ranker(row)
        scores[row] = -np.inf
        original = next(
            i
            for i, (lab, k) in enumerate(zip(labels, kinds, strict=True))
            if lab == labels[row] and k == "original"
        )
        siblings = [i for i, lab in enumerate(labels) if lab == labels[row] and i not in (row, original)]
        first = int(np.argmax(scores))
        hits += first == original
        per_kind[kind] += first == original
        alone = scores.copy()
        alone[siblings] = -np.inf
        hits_alone += int(np.argmax(alone)) == original
        others = [i for i, lab in enumerate(labels) if lab != labels[row]]
        margins.append(float(scores[original] - np.max(scores[others])))
    total = sum(1 for k in kinds if k != "original")
    kinds_text = "  ".join(f"{k} {per_kind[k] / (total // len(COPIES)):.2f}" for k in COPIES)
    print(
        f"{name:<18} recall@1 {hits / total:.3f}  without siblings {hits_alone / total:.3f}  "
        f"worst margin {min(margins):+.3f}  [{kinds_text}]"
    )


def grouping(thumbs: list[Image.Image], labels: list[str]) -> None:
    hashes = np.array([perceptual_hashes(t)[0] & (2**64 - 1) for t in thumbs], dtype=np.uint64)
    matrix = SignatureMatrix.of([to_bytes(compute_signature(t)) for t in thumbs])
    wallpapers = sorted({lab for lab in labels if not lab.startswith("distractor")})
    for bits in (10, 12):
        pairs = near_pairs(hashes, bits)
        agree = (
            pair_similarities(matrix.rows(pairs.left), matrix.rows(pairs.right)) >= MIN_SIGNATURE_SIMILARITY
        )
        for name, keep in (("pHash alone", np.ones_like(agree)), ("pHash + signature", agree)):
            groups = connected_groups(pairs.left[keep], pairs.right[keep])
            right = sum(
                any(sorted(g) == [i for i, lab in enumerate(labels) if lab == w] for g in groups)
                for w in wallpapers
            )
            names = [{labels[i] for i in g} for g in groups]
            mixed = sum(len(n) > 1 and any(not lab.startswith("distractor") for lab in n) for n in names)
            blobs = sum(len(n) > 1 and all(lab.startswith("distractor") for lab in n) for n in names)
            print(
                f"groups at {bits:>2} bits, {name:<18} {right}/{len(wallpapers)} wallpapers grouped exactly, "
                f"{mixed} groups joining a wallpaper with another picture, {blobs} of distractors alone"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--distractors", type=int, default=2000)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    labels: list[str] = []
    kinds: list[str] = []
    thumbs: list[Image.Image] = []
    for source in sorted((args.corpus / "originals").glob("*.png")):
        image = Image.open(source).convert("RGB")
        for kind in ("original", *COPIES):
            labels.append(source.stem)
            kinds.append(kind)
            thumbs.append(shrink_image(image if kind == "original" else near_copy(image, kind)))
    rng = np.random.default_rng(15)
    for k in range(args.distractors):
        labels.append(f"distractor-{k}")
        kinds.append("original")
        thumbs.append(shrink_image(distractor(rng)))
    wallpapers = len({lab for lab in labels if not lab.startswith("distractor")})
    print(f"{wallpapers} wallpapers × {len(COPIES)} copies, {args.distractors} distractors")
    rankers: list[tuple[str, Callable[[list[Image.Image]], Ranker]]] = [
        ("wavelet + layout", wavelet_ranker),
        ("wavelet alone", lambda thumbs: wavelet_ranker(thumbs, 0.0)),
        ("pHash (baseline)", phash_ranker),
    ]
    for name, make in rankers:
        start = time.perf_counter()
        ranker = make(thumbs)
        evaluate(name, ranker, labels, kinds)
        print(f"{'':<18} {time.perf_counter() - start:.1f} s  load {os.getloadavg()[0]:.2f}")
    grouping(thumbs, labels)


if __name__ == "__main__":
    main()
