"""Pillow's Lanczos shrink of a grey picture, to the same integers, as small matrix products.

The perceptual hashes shrink the grey thumbnail to 32x32 and to 9x8 with Lanczos. Pillow did
that in 0.79 ms (measured back to back: 0.26 ms here) of the ~5 ms of CPU a 640x480 JPEG costs
an import: it recomputes its kernels (thousands of sines) on every call and convolves one pixel
at a time. Here the kernels are
Pillow's own fixed-point coefficients (precompute_coeffs and normalize_coeffs_8bpc in
Resample.c), computed once per size, and each pass is a product of float64 matrices whose every
partial sum is an integer below 2**53, so exact in any order, followed by Pillow's rounding and
clipping to 8 bits. Pillow filters the rows first, then the columns; for a picture taller than it
is wide it sometimes goes the other way (by a rule of its own), so such a picture is left to
Pillow. Tests hold the result to Pillow's, pixel for pixel: stored hashes do not change.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

PRECISION_BITS = 32 - 8 - 2  # Resample.c: 8-bit coefficients are integers scaled by 2**22
SUPPORT = 3.0
# Multiply-adds per matrix product: OpenBLAS hands bigger ones to its other threads, which spin
# (a 192x256 by 256x32 product took 527 us of CPU that way, 72 us on one thread), so the rows
# go through in slices.
PRODUCT_LIMIT = 1 << 17

FloatArray = npt.NDArray[np.float64]


def _sinc(x: float) -> float:
    if x == 0.0:
        return 1.0
    x *= math.pi
    return math.sin(x) / x


def _lanczos(x: float) -> float:
    return _sinc(x) * _sinc(x / 3.0) if -SUPPORT <= x < SUPPORT else 0.0


@lru_cache(maxsize=64)
def coefficients(in_size: int, out_size: int) -> FloatArray:
    """The (out_size, in_size) matrix of Pillow's integer Lanczos coefficients for one axis."""
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = SUPPORT * filterscale
    reciprocal = 1.0 / filterscale
    matrix = np.zeros((out_size, in_size), dtype=np.float64)
    for out in range(out_size):
        center = (out + 0.5) * scale
        first = max(int(center - support + 0.5), 0)
        count = min(int(center + support + 0.5), in_size) - first
        weights = [_lanczos((x + first - center + 0.5) * reciprocal) for x in range(count)]
        total = 0.0
        for weight in weights:  # in Pillow's order: the sum's rounding is part of the result
            total += weight
        for x, weight in enumerate(weights):
            scaled = (weight / total if total != 0.0 else weight) * (1 << PRECISION_BITS)
            matrix[out, first + x] = int(scaled - 0.5) if scaled < 0 else int(scaled + 0.5)
    matrix.flags.writeable = False
    return matrix


def _to_8bit(sums: FloatArray) -> FloatArray:
    """Pillow's clip8 of a fixed-point sum: its rounding half added, shifted down, kept in 0-255."""
    return np.clip(np.floor((sums + (1 << (PRECISION_BITS - 1))) / (1 << PRECISION_BITS)), 0, 255)


def _rows_times(pixels: npt.NDArray[Any], kernel_t: FloatArray) -> FloatArray:
    """`pixels @ kernel_t`, a slice of rows at a time, each turned to float64 only for its product
    (a whole thumbnail in float64 is 393 KB: allocating and freeing that for each file slowed the
    next file's JPEG decode by 0.1-0.2 ms, likely through glibc's moving mmap threshold)."""
    step = max(1, PRODUCT_LIMIT // max(1, kernel_t.shape[0] * kernel_t.shape[1]))
    parts = [
        pixels[start : start + step].astype(np.float64) @ kernel_t for start in range(0, len(pixels), step)
    ]
    return parts[0] if len(parts) == 1 else np.vstack(parts)


def lanczos_shrink(grey: Image.Image, size: tuple[int, int]) -> FloatArray:
    """`grey.resize(size, LANCZOS)` (an "L" picture) as a float64 array, the same values."""
    width, height = grey.size
    if height > width or grey.mode != "L":
        return np.asarray(grey.resize(size, Image.Resampling.LANCZOS), dtype=np.float64)
    pixels = np.asarray(grey)
    out_width, out_height = size
    across = _to_8bit(_rows_times(pixels, coefficients(width, out_width).T))
    return _to_8bit(_rows_times(across.T, coefficients(height, out_height).T).T)
