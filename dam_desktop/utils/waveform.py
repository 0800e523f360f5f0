"""A sound's waveform as per-column peaks: the import draws its thumbnail from them and the
inspector's player draws its scrub bar, each in a worker thread."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import soundfile as sf

FloatArray = npt.NDArray[np.float32]
# Frames read at a time: bounded memory for hour-long files, few enough reads to stay fast.
WAVEFORM_BLOCK_FRAMES = 1 << 18


def waveform_peaks(sound: sf.SoundFile, columns: int) -> tuple[FloatArray, FloatArray]:
    """Per-column (min, max) of the channel mix, reading the file once in bounded blocks.

    Returns fewer columns than asked for a sound shorter than `columns` frames.
    """
    frames = max(int(sound.frames), 1)
    per_column = max(frames // columns + (frames % columns > 0), 1)
    cols_per_block = max(WAVEFORM_BLOCK_FRAMES // per_column, 1)
    lows: list[FloatArray] = []
    highs: list[FloatArray] = []
    carry = np.zeros(0, dtype=np.float32)
    while True:
        block = sound.read(per_column * cols_per_block, dtype="float32", always_2d=True)
        if len(block) == 0:
            break
        mono = np.concatenate([carry, block.mean(axis=1, dtype=np.float32)])
        usable = len(mono) - len(mono) % per_column
        if usable:
            shaped = mono[:usable].reshape(-1, per_column)
            lows.append(shaped.min(axis=1))
            highs.append(shaped.max(axis=1))
        carry = mono[usable:]
    if len(carry):
        lows.append(np.array([carry.min()], dtype=np.float32))
        highs.append(np.array([carry.max()], dtype=np.float32))
    if not lows:
        empty = np.zeros(0, dtype=np.float32)
        return empty, empty
    return np.concatenate(lows), np.concatenate(highs)
