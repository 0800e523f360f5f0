"""Real image and sound files for the import tests, made with Pillow and soundfile."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import soundfile as sf
from PIL import Image


def make_jpeg(path: Path, size: tuple[int, int] = (64, 48), seed: int = 0, **save: object) -> Path:
    rng = np.random.default_rng(seed)
    pixels = (rng.random((size[1], size[0], 3)) * 255).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels, "RGB").save(path, "JPEG", quality=85, **save)
    return path


def make_png(path: Path, size: tuple[int, int] = (40, 30), seed: int = 0, alpha: bool = False) -> Path:
    rng = np.random.default_rng(seed)
    channels = 4 if alpha else 3
    pixels = (rng.random((size[1], size[0], channels)) * 255).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels, "RGBA" if alpha else "RGB").save(path, "PNG")
    return path


def make_tiny_png(path: Path, index: int) -> Path:
    """An 8x8 PNG whose pixels encode `index`, so every one is distinct."""
    pixels = np.zeros((8, 8, 3), dtype=np.uint8)
    pixels[0, 0] = (index & 0xFF, (index >> 8) & 0xFF, (index >> 16) & 0xFF)
    Image.fromarray(pixels, "RGB").save(path, "PNG", compress_level=1)
    return path


def make_sound(
    path: Path,
    *,
    seconds: float = 0.5,
    rate: int = 16000,
    channels: int = 1,
    fmt: str | None = None,
    subtype: str | None = None,
    freq: float = 440.0,
) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    wave = (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    data = np.stack([wave] * channels, axis=1) if channels > 1 else wave
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, data, rate, format=fmt, subtype=subtype)
    return path


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
