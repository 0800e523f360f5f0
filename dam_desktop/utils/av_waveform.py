"""A sound's waveform peaks through PyAV (FFmpeg), for the formats libsndfile cannot read: AAC/M4A,
WMA, Matroska audio, the sound track of a video.

FFmpeg's decoders print to stderr by default; `quiet_ffmpeg` turns that off for the process, so a
damaged file costs its own report line and never floods the terminal. The probes hear FFmpeg on
one file at a time (utils.native_messages.ffmpeg_section): what it says ends that file's reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from dam_desktop.utils.waveform import FloatArray

# Samples per block whose min and max are kept while decoding: an hour at 48 kHz is 170k pairs.
BLOCK = 1024


@dataclass(frozen=True)
class AvSound:
    lows: FloatArray
    highs: FloatArray
    duration_seconds: float
    sample_rate: int
    channels: int
    codec: str
    container: str


@cache
def quiet_ffmpeg() -> None:
    import av

    av.logging.set_level(None)


def _reduce(values: FloatArray, columns: int, how: Any) -> FloatArray:
    if len(values) <= columns:
        return values
    per = -(-len(values) // columns)
    padded = np.concatenate([values, np.full(per * columns - len(values), values[-1], np.float32)])
    reduced: FloatArray = how(padded.reshape(columns, per), axis=1)
    return reduced


def av_sound(source: BinaryIO | Path | str, columns: int) -> AvSound:
    """Decode the first sound stream once: per-column (min, max) of the channel mix and its facts.

    Raises av.FFmpegError for unreadable data and ValueError when there is no sound stream."""
    import av

    quiet_ffmpeg()
    with av.open(source if not isinstance(source, Path) else str(source), "r") as container:
        if not container.streams.audio:
            raise ValueError("the file holds no sound stream")
        stream = container.streams.audio[0]
        stream.codec_context.thread_type = "AUTO"
        resampler = av.AudioResampler(format="flt", layout="mono")
        lows: list[FloatArray] = []
        highs: list[FloatArray] = []
        carry = np.zeros(0, dtype=np.float32)
        samples = 0
        for frame in container.decode(stream):
            for mono in resampler.resample(frame):
                data = np.concatenate([carry, mono.to_ndarray().reshape(-1).astype(np.float32)])
                samples += mono.samples
                usable = len(data) - len(data) % BLOCK
                if usable:
                    shaped = data[:usable].reshape(-1, BLOCK)
                    lows.append(shaped.min(axis=1))
                    highs.append(shaped.max(axis=1))
                carry = data[usable:]
        if len(carry):
            lows.append(np.array([carry.min()], dtype=np.float32))
            highs.append(np.array([carry.max()], dtype=np.float32))
        rate = int(stream.codec_context.sample_rate or stream.rate or 0)
        all_lows = np.concatenate(lows) if lows else np.zeros(0, dtype=np.float32)
        all_highs = np.concatenate(highs) if highs else np.zeros(0, dtype=np.float32)
        return AvSound(
            lows=_reduce(all_lows, columns, np.min),
            highs=_reduce(all_highs, columns, np.max),
            duration_seconds=samples / rate if rate else 0.0,
            sample_rate=rate,
            channels=int(stream.codec_context.channels or 0),
            codec=stream.codec_context.name,
            container=container.format.name,
        )


def av_samples(path: Path | str, max_seconds: float) -> tuple[FloatArray, int]:
    """Up to `max_seconds` of the first sound stream, mixed to mono float32, and its sample rate."""
    import av

    quiet_ffmpeg()
    with av.open(str(path), "r") as container:
        if not container.streams.audio:
            raise ValueError("the file holds no sound stream")
        stream = container.streams.audio[0]
        rate = int(stream.codec_context.sample_rate or 0)
        if rate <= 0:
            raise ValueError("the sound stream has no sample rate")
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        wanted = int(max_seconds * rate)
        chunks: list[FloatArray] = []
        have = 0
        for frame in container.decode(stream):
            for mono in resampler.resample(frame):
                chunk = mono.to_ndarray().reshape(-1).astype(np.float32)
                chunks.append(chunk)
                have += len(chunk)
            if have >= wanted:
                break
    samples = np.concatenate(chunks)[:wanted] if chunks else np.zeros(0, dtype=np.float32)
    return np.ascontiguousarray(samples), rate
