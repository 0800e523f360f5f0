"""Recall@1 of the weights-free sound fingerprints on real sounds and their altered copies.

    python3 scripts/build_sound_corpus.py --out ~/sound-corpus
    python benchmarks/sound_fingerprint_eval.py ~/sound-corpus

Each altered copy is a query. It is ranked by cosine against every original and every other copy,
its own siblings (the other copies of the same original) left out; it counts as found when its
original comes first. Every fingerprint in the registry and an MFCC mean+std baseline are measured
in the same run, on the same decodes, and printed per transformation.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from dam_desktop.ml.audio_decode import AudioDecodeError, DecodedAudio, load_audio
from dam_desktop.ml.audio_features import FINGERPRINTS

Vector = npt.NDArray[np.float32]
BASELINE = "mfcc-mean-std"


@dataclass(frozen=True)
class Item:
    path: Path
    original: str  # the original's stem; an original's own stem for an original
    transform: str  # "" for an original


def mfcc_mean_std(audio: DecodedAudio, n_mels: int = 40, n_mfcc: int = 20) -> Vector:
    """The textbook baseline: mean and spread of MFCCs 1..19 (c0, the level, left out)."""
    from dam_desktop.ml.logmel_stats_v1 import mel_filterbank

    sr = audio.sample_rate
    n_fft = int(2 ** round(np.log2(sr * 0.025)))
    hop = n_fft // 2
    x = audio.samples if audio.samples.shape[0] >= n_fft else np.pad(audio.samples, (0, n_fft))
    n = 1 + (x.shape[0] - n_fft) // hop
    frames = np.lib.stride_tricks.as_strided(x, (n, n_fft), (x.strides[0] * hop, x.strides[0]))
    power = np.abs(np.fft.rfft(frames * np.hanning(n_fft), axis=1)) ** 2
    bank = mel_filterbank(sr, n_fft)[:: max(1, 128 // n_mels)]
    logmel = np.log(power @ bank.T + 1e-10)
    k = np.arange(n_mfcc)[:, None]
    dct = np.cos(np.pi * k * (np.arange(bank.shape[0]) + 0.5) / bank.shape[0])
    mfcc = logmel @ dct.T
    vector = np.concatenate([mfcc[:, 1:].mean(axis=0), mfcc[:, 1:].std(axis=0)])
    unit: Vector = (vector / (np.linalg.norm(vector) + 1e-12)).astype(np.float32)
    return unit


def corpus_items(root: Path) -> list[Item]:
    items = [Item(p, p.stem, "") for p in sorted((root / "originals").glob("*.wav"))]
    for folder in sorted((root / "copies").iterdir()):
        items.extend(Item(p, folder.name, p.stem) for p in sorted(folder.iterdir()))
    return items


def fingerprint_all(
    items: list[Item], methods: dict[str, Callable[[DecodedAudio], Vector]]
) -> tuple[list[Item], dict[str, npt.NDArray[np.float32]], dict[str, float]]:
    """Decode each file once and compute every method on it; items that do not decode are dropped."""
    kept: list[Item] = []
    rows: dict[str, list[Vector]] = defaultdict(list)
    seconds: dict[str, float] = defaultdict(float)
    for item in items:
        try:
            audio = load_audio(item.path, 30.0)
        except AudioDecodeError as exc:
            print(f"skipped: {exc}")
            continue
        kept.append(item)
        for name, method in methods.items():
            start = time.perf_counter()
            rows[name].append(method(audio))
            seconds[name] += time.perf_counter() - start
    return kept, {name: np.stack(r) for name, r in rows.items()}, dict(seconds)


def recall_at_1(items: list[Item], matrix: npt.NDArray[np.float32]) -> dict[str, float]:
    """Per transformation (and "all"): the share of copies whose nearest allowed item is their original."""
    unit = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    originals = {item.original: i for i, item in enumerate(items) if not item.transform}
    owner = np.array([item.original for item in items])
    is_copy = np.array([bool(item.transform) for item in items])
    hits: dict[str, list[bool]] = defaultdict(list)
    for q, item in enumerate(items):
        if not item.transform:
            continue
        scores = unit @ unit[q]
        scores[q] = -np.inf
        scores[is_copy & (owner == item.original)] = -np.inf  # the query's siblings
        found = int(np.argmax(scores)) == originals[item.original]
        hits[item.transform].append(found)
        hits["all"].append(found)
    return {name: float(np.mean(v)) for name, v in hits.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    args = parser.parse_args()
    methods: dict[str, Callable[[DecodedAudio], Vector]] = {BASELINE: mfcc_mean_std, **FINGERPRINTS}
    items = corpus_items(args.corpus.expanduser())
    kept, matrices, seconds = fingerprint_all(items, methods)
    n_orig = sum(1 for i in kept if not i.transform)
    print(f"{n_orig} originals, {len(kept) - n_orig} copies; load average {os.getloadavg()}")
    results = {name: recall_at_1(kept, m) for name, m in matrices.items()}
    transforms = [*sorted({k for r in results.values() for k in r} - {"all"}), "all"]
    names = list(methods)
    print("| transformation | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for t in transforms:
        print(f"| {t} | " + " | ".join(f"{results[n][t]:.2f}" for n in names) + " |")
    print("ms per sound: " + ", ".join(f"{n} {1000 * seconds[n] / len(kept):.1f}" for n in names))


if __name__ == "__main__":
    main()
