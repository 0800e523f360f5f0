"""Triangular mel filters, shared by the weights-free sound descriptors (numpy only)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


def _hz_to_mel(hz: Floats) -> Floats:
    return 2595.0 * np.log10(1.0 + hz / 700.0)


def _mel_to_hz(mel: Floats) -> Floats:
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


@lru_cache(maxsize=32)
def mel_filters(
    sample_rate: int, n_fft: int, n_bands: int, fmin_hz: float, fmax_hz: float
) -> npt.NDArray[np.float32]:
    """`n_bands` area-normalised triangular filters between `fmin_hz` and `fmax_hz`, as a
    (bands, n_fft // 2 + 1) matrix; bands above Nyquist stay empty."""
    mels = np.linspace(_hz_to_mel(np.array(fmin_hz)), _hz_to_mel(np.array(fmax_hz)), n_bands + 2)
    edges = _mel_to_hz(mels)
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    bank = np.zeros((n_bands, freqs.shape[0]), dtype=np.float64)
    for band in range(n_bands):
        lo, mid, hi = edges[band], edges[band + 1], edges[band + 2]
        rising = (freqs - lo) / max(mid - lo, 1e-9)
        falling = (hi - freqs) / max(hi - mid, 1e-9)
        bank[band] = np.clip(np.minimum(rising, falling), 0.0, None)
        # Narrow low bands may fall between FFT bins: give them their nearest bin.
        if not bank[band].any() and mid < sample_rate / 2:
            bank[band, int(np.argmin(np.abs(freqs - mid)))] = 1.0
        # Area-normalised, so a band's value does not depend on how many bins it covers.
        area = bank[band].sum()
        if area > 0:
            bank[band] /= area
    return bank.astype(np.float32)
