"""The perceptual hashes' Lanczos shrink gives Pillow's own pixels, so stored hashes never change."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from dam_desktop.utils.lanczos import lanczos_shrink
from dam_desktop.utils.media_utils import perceptual_hashes

HASH_SIZES = [(32, 32), (9, 8)]


def _pictures(seed: int, count: int, *, wide: bool) -> list[Image.Image]:
    """Noise, checkerboards, smooth photos-like fields and flat fields, of many shapes."""
    rng = np.random.default_rng(seed)
    pictures = []
    for index in range(count):
        width = 256 if index % 3 == 0 else int(rng.integers(1, 400))
        height = int(rng.integers(1, width + 1)) if wide else int(rng.integers(width + 1, width + 300))
        kind = index % 4
        if kind == 0:
            pixels = rng.integers(0, 256, (height, width), dtype=np.uint8)
        elif kind == 1:
            pixels = (np.indices((height, width)).sum(axis=0) % 2 * 255).astype(np.uint8)
        elif kind == 2:
            pixels = np.clip(rng.normal(128, 70, (height, width)), 0, 255).astype(np.uint8)
        else:
            pixels = np.full((height, width), int(rng.integers(0, 256)), dtype=np.uint8)
        pictures.append(Image.fromarray(pixels, "L"))
    return pictures


def _pillow(grey: Image.Image, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(grey.resize(size, Image.Resampling.LANCZOS), dtype=np.float64)


@pytest.mark.parametrize("size", HASH_SIZES)
def test_wide_pictures_shrink_to_pillows_exact_pixels(size: tuple[int, int]) -> None:
    for grey in _pictures(1, 400, wide=True):
        assert np.array_equal(lanczos_shrink(grey, size), _pillow(grey, size)), grey.size


@pytest.mark.parametrize("size", HASH_SIZES)
def test_tall_pictures_shrink_to_pillows_exact_pixels(size: tuple[int, int]) -> None:
    for grey in _pictures(2, 60, wide=False):
        assert np.array_equal(lanczos_shrink(grey, size), _pillow(grey, size)), grey.size


def test_hashes_of_a_photo_thumbnail_are_the_imagehash_definitions_through_pillow() -> None:
    rng = np.random.default_rng(3)
    for shape in [(192, 256, 3), (171, 256, 3), (256, 192, 3), (256, 256, 3)]:
        thumbnail = Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), "RGB")
        grey = thumbnail.convert("L")
        small = _pillow(grey, (32, 32))
        n = 32
        dct = np.cos(np.pi * (2 * np.arange(n)[None, :] + 1) * np.arange(n)[:, None] / (2 * n))
        low = (dct @ small @ dct.T)[:8, :8]
        diff = _pillow(grey, (9, 8))
        expected = [
            int.from_bytes(np.packbits((bits).ravel()).tobytes(), "big", signed=True)
            for bits in (low > np.median(low), diff[:, 1:] > diff[:, :-1])
        ]
        assert list(perceptual_hashes(thumbnail)) == expected
