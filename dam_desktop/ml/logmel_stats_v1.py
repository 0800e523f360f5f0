"""logmel-stats-v1, the first weights-free sound fingerprint: statistics of a log-mel spectrogram.

Kept so libraries fingerprinted with it still answer until the pipeline recomputes them with
`soundprint-v2`, and so `benchmarks/sound_fingerprint_eval.py` can compare the two in one run.

The vector is built to stay put when a file is re-encoded (WAV→FLAC/OGG/MP3), trimmed or made
louder or quieter, and to move when the sound itself differs:

- the mel filterbank is laid out in Hz and frames are ~46 ms whatever the sample rate, so a
  resampled copy lands on the same bands;
- levels are taken relative to the file's own loud frames (its 95th percentile), so gain cancels;
- only frames within 50 dB of that level count, so leading and trailing silence and trimming
  change little; statistics are means over frames, not positions in time;
- each block (band means, band spreads, band movement, rhythm) is centred and scaled on its own,
  so no block's offset makes unrelated sounds look alike under cosine similarity.

Only numpy and soundfile: it runs on any machine, in the CPU pool, and releases the GIL in FFTs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dam_desktop.ml.audio_decode import DecodedAudio
from dam_desktop.ml.mel_filters import mel_filters

MODEL_NAME = "logmel-stats-v1"
N_MELS = 128  # fine bands, for the long-term spectrum (a pitched sound's signature)
N_COARSE = 32  # groups of 4 fine bands, for how the spectrum moves
N_MODULATION = 32
DIMENSIONS = N_MELS + 2 * N_COARSE + N_MODULATION  # 224
FMIN_HZ = 40.0
FMAX_HZ = 11000.0
FRAME_SECONDS = 0.046
ACTIVE_RANGE_DB = 50.0
FLOOR_DB = 80.0
BLOCK_WEIGHTS = (1.0, 0.8, 0.6, 0.6)  # band means, band spreads, band movement, rhythm

Vector = npt.NDArray[np.float32]


def mel_filterbank(sample_rate: int, n_fft: int) -> npt.NDArray[np.float32]:
    """This descriptor's mel filters (N_MELS bands between FMIN_HZ and FMAX_HZ)."""
    return mel_filters(sample_rate, n_fft, N_MELS, FMIN_HZ, FMAX_HZ)


def log_mel_spectrogram(audio: DecodedAudio) -> tuple[npt.NDArray[np.float32], float]:
    """(frames × N_MELS) log power in dB, and the frame rate in frames per second."""
    sr = audio.sample_rate
    n_fft = int(2 ** round(np.log2(sr * FRAME_SECONDS)))
    hop = n_fft // 4
    x = audio.samples
    if x.shape[0] < n_fft:
        x = np.pad(x, (0, n_fft - x.shape[0]))
    n_frames = 1 + (x.shape[0] - n_fft) // hop
    frames = np.lib.stride_tricks.as_strided(
        x, shape=(n_frames, n_fft), strides=(x.strides[0] * hop, x.strides[0]), writeable=False
    )
    window = np.hanning(n_fft).astype(np.float32)
    power = np.abs(np.fft.rfft(frames * window, axis=1)) ** 2
    mel = power.astype(np.float32) @ mel_filterbank(sr, n_fft).T
    return (10.0 * np.log10(mel + 1e-12)).astype(np.float32), sr / hop


def _centred_unit(block: npt.NDArray[np.float64], floor: float) -> npt.NDArray[np.float64]:
    centred: npt.NDArray[np.float64] = block - block.mean()
    scaled: npt.NDArray[np.float64] = centred / max(float(np.linalg.norm(centred)), floor)
    return scaled


def _modulation(onset: npt.NDArray[np.float64], frame_rate: float) -> npt.NDArray[np.float64]:
    """Autocorrelation of the onset envelope at log-spaced lags from 50 ms to 2 s (rhythm, pulse)."""
    if onset.shape[0] < 4 or not onset.any():
        return np.zeros(N_MODULATION)
    centred = onset - onset.mean()
    n = centred.shape[0]
    spectrum = np.fft.rfft(centred, 2 * n)
    ac = np.fft.irfft(np.abs(spectrum) ** 2)[:n]
    if ac[0] <= 0:
        return np.zeros(N_MODULATION)
    ac /= ac[0]
    lags = np.geomspace(0.05, 2.0, N_MODULATION) * frame_rate
    return np.interp(lags, np.arange(n), ac, right=0.0)


def embed_decoded(audio: DecodedAudio) -> Vector:
    """The DIMENSIONS-long, L2-normalised fingerprint of decoded audio."""
    spec, frame_rate = log_mel_spectrogram(audio)
    frame_level = 10.0 * np.log10(np.mean(10.0 ** (spec / 10.0), axis=1) + 1e-12)
    reference = float(np.percentile(frame_level, 95))
    active = frame_level > reference - ACTIVE_RANGE_DB
    if active.sum() < 2:
        active = np.ones_like(active)
    # Gain cancels: every level is relative to the file's loud frames, floored FLOOR_DB below.
    rel = np.maximum(spec.astype(np.float64) - reference, -FLOOR_DB)
    band_mean = rel[active].mean(axis=0)
    coarse = rel.reshape(rel.shape[0], N_COARSE, -1).mean(axis=2)
    band_std = coarse[active].std(axis=0)
    delta = np.abs(np.diff(coarse, axis=0))
    delta_active = active[1:] & active[:-1]
    band_move = delta[delta_active].mean(axis=0) if delta_active.any() else np.zeros(N_COARSE)
    onset = np.clip(np.diff(rel, axis=0), 0.0, None).mean(axis=1) if rel.shape[0] > 1 else np.zeros(1)
    blocks = (
        _centred_unit(band_mean, 40.0),
        _centred_unit(band_std, 10.0),
        _centred_unit(band_move, 5.0),
        _centred_unit(_modulation(onset, frame_rate), 0.5),
    )
    vector = np.concatenate([w * b for w, b in zip(BLOCK_WEIGHTS, blocks, strict=True)])
    norm = float(np.linalg.norm(vector))
    if norm > 0:
        vector /= norm
    return vector.astype(np.float32)
