"""Near-duplicate image pairs among 100k and 1M perceptual hashes: multi-index hashing vs all pairs.

    python benchmarks/duplicates_bench.py [--sizes 100000 1000000] [--threshold 8]

Random 64-bit hashes stand in for a library, and 1% of them get a planted near-copy with 0..threshold
bits flipped. Recall is the share of planted pairs found. The all-pairs numpy baseline (blocked
XOR + popcount) runs in the same process on the same hashes; above `--baseline-limit` hashes it is
timed on a slice and scaled by the pair count (N²), which it follows exactly.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import numpy.typing as npt

from dam_desktop.services.similarity.hash_index import choose_chunks, near_pairs, near_pairs_all_pairs


def planted_library(
    n: int, threshold: int, seed: int = 15
) -> tuple[npt.NDArray[np.uint64], set[tuple[int, int]]]:
    rng = np.random.default_rng(seed)
    n_copies = n // 100
    base = rng.integers(0, np.iinfo(np.uint64).max, n - n_copies, dtype=np.uint64, endpoint=True)
    sources = rng.choice(base.shape[0], n_copies, replace=False)
    flips = np.zeros(n_copies, dtype=np.uint64)
    for k, bits in enumerate(rng.integers(0, threshold + 1, n_copies)):
        for bit in rng.choice(64, int(bits), replace=False):
            flips[k] |= np.uint64(1) << np.uint64(bit)
    hashes = np.concatenate([base, base[sources] ^ flips])
    planted = {(int(s), base.shape[0] + k) for k, s in enumerate(sources)}
    return hashes, planted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--threshold", type=int, default=8)
    parser.add_argument("--baseline-limit", type=int, default=100_000)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    for n in args.sizes:
        hashes, planted = planted_library(n, args.threshold)
        start = time.perf_counter()
        pairs = near_pairs(hashes, args.threshold)
        seconds = time.perf_counter() - start
        found = set(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True))
        recall = len(planted & found) / len(planted)
        sample = min(n, args.baseline_limit)
        start = time.perf_counter()
        baseline = near_pairs_all_pairs(hashes[:sample], args.threshold)
        base_seconds = (time.perf_counter() - start) * (n / sample) ** 2
        base_found = set(zip(baseline.left.tolist(), baseline.right.tolist(), strict=True))
        in_sample = {p for p in found if p[1] < sample}
        agree = in_sample == base_found
        scaled = "" if sample == n else f" (timed on {sample:,}, scaled by N²)"
        print(
            f"N={n:>9,}  r={args.threshold}  chunks={choose_chunks(n, args.threshold)}  "
            f"multi-index {seconds:6.2f} s  all-pairs {base_seconds:8.1f} s{scaled}  "
            f"pairs {len(found):,}  planted recall {recall:.3f}  same pairs as all-pairs: {agree}  "
            f"load {os.getloadavg()[0]:.2f}"
        )


if __name__ == "__main__":
    main()
