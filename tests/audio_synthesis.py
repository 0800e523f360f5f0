"""Fifty different sounds, made with numpy: tones, chords, chirps, noise bursts, rhythms, plucks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile as sf

SAMPLE_RATE = 22050

Signal = npt.NDArray[np.float64]


def _envelope(n: int, attack: float, release: float, sr: int) -> Signal:
    env = np.ones(n)
    a, r = max(1, int(attack * sr)), max(1, int(release * sr))
    env[:a] = np.linspace(0.0, 1.0, a)
    env[-r:] *= np.linspace(1.0, 0.0, r)
    return env


def _filtered_noise(rng: np.random.Generator, n: int, lo: float, hi: float, sr: int) -> Signal:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1.0 / sr)
    spectrum[(freqs < lo) | (freqs > hi)] = 0
    out = np.fft.irfft(spectrum, n)
    return out / (np.abs(out).max() + 1e-9)


def make_sound(index: int, sr: int = SAMPLE_RATE) -> Signal:
    """Sound number `index` (0..49): the kind cycles, its parameters come from its own seed."""
    rng = np.random.default_rng(1000 + index)
    seconds = float(rng.uniform(2.0, 3.5))
    n = int(seconds * sr)
    t = np.arange(n) / sr
    kind = index % 7
    if kind == 0:  # a tone with harmonics
        f0 = rng.uniform(80, 1200)
        x = sum(rng.uniform(0.1, 1.0) / h * np.sin(2 * np.pi * f0 * h * t) for h in range(1, 6))
    elif kind == 1:  # a chord
        root = rng.uniform(100, 500)
        x = sum(np.sin(2 * np.pi * root * r * t) for r in (1.0, rng.choice([1.25, 1.2]), 1.5))
    elif kind == 2:  # a chirp
        f0, f1 = rng.uniform(100, 3000, size=2)
        phase = 2 * np.pi * (f0 * t + (f1 - f0) * t**2 / (2 * seconds))
        x = np.sin(phase)
    elif kind == 3:  # band-limited noise bursts
        lo = rng.uniform(100, 4000)
        noise = _filtered_noise(rng, n, lo, lo * rng.uniform(1.3, 3.0), sr)
        rate = rng.uniform(1.5, 6.0)
        x = noise * (np.sin(2 * np.pi * rate * t) > rng.uniform(-0.3, 0.5))
    elif kind == 4:  # a rhythm of clicks on a pitched body
        bpm = rng.uniform(70, 200)
        f0 = rng.uniform(150, 2500)
        x = np.zeros(n)
        period = int(sr * 60 / bpm)
        hit = np.exp(-np.arange(int(0.12 * sr)) / (0.02 * sr)) * np.sin(
            2 * np.pi * f0 * np.arange(int(0.12 * sr)) / sr
        )
        for start in range(0, n - hit.shape[0], period):
            x[start : start + hit.shape[0]] += hit
    elif kind == 5:  # a plucked string (Karplus-Strong), each a fourth above the previous one
        f0 = 110.0 * 2 ** ((index // 7) * 5 / 12) * rng.uniform(0.98, 1.02)
        period = max(2, int(sr / f0))
        buf = rng.uniform(-1, 1, period)
        x = np.empty(n)
        decay = rng.uniform(0.996, 0.9995)
        for i in range(n):
            x[i] = buf[i % period]
            buf[i % period] = decay * 0.5 * (buf[i % period] + buf[(i + 1) % period])
    else:  # tremolo / vibrato tone over a noise floor
        f0 = rng.uniform(200, 2000)
        vib = rng.uniform(2, 9)
        x = np.sin(2 * np.pi * f0 * t + rng.uniform(1, 20) * np.sin(2 * np.pi * vib * t) / vib)
        x = x * (0.6 + 0.4 * np.sin(2 * np.pi * rng.uniform(0.5, 6) * t))
        x += 0.05 * rng.standard_normal(n)
    x = x * _envelope(n, 0.01, 0.05, sr)
    return 0.8 * x / (np.abs(x).max() + 1e-9)


def write_sounds(folder: Path, count: int = 50) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"sound_{index:02d}.wav"
        sf.write(path, make_sound(index), SAMPLE_RATE, subtype="PCM_16")
        paths.append(path)
    return paths


def write_altered_copy(
    source: Path, target: Path, gain: float = 0.4, trim: tuple[float, float] = (0.1, 0.1)
) -> Path:
    """Re-encode `source` in `target`'s format, cut `trim` fractions off its ends, scale by `gain`."""
    data, sr = sf.read(source, dtype="float64")
    start, end = int(trim[0] * data.shape[0]), int((1 - trim[1]) * data.shape[0])
    sf.write(target, data[start:end] * gain, sr)
    return target
