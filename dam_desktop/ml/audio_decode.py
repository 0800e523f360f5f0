"""Decoding a sound file to mono float32 for the weights-free fingerprints and CLAP."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

MAX_SECONDS = 120.0


@dataclass(frozen=True)
class DecodedAudio:
    samples: npt.NDArray[np.float32]  # mono
    sample_rate: int

    @property
    def seconds(self) -> float:
        return self.samples.shape[0] / self.sample_rate if self.sample_rate else 0.0


class AudioDecodeError(ValueError):
    """The file could not be read as audio."""


def load_audio(path: Path | str, max_seconds: float = MAX_SECONDS) -> DecodedAudio:
    """Decode up to `max_seconds` of a file to mono float32: libsndfile's formats directly, the
    rest (AAC/M4A, WMA, a video's sound) through PyAV."""
    import soundfile as sf

    try:
        with sf.SoundFile(str(path)) as handle:
            sample_rate = int(handle.samplerate)
            data = handle.read(frames=int(max_seconds * sample_rate), dtype="float32", always_2d=True)
        mono = np.ascontiguousarray(data.mean(axis=1), dtype=np.float32)
    except (RuntimeError, sf.LibsndfileError, OSError) as exc:
        mono, sample_rate = _through_ffmpeg(path, max_seconds, exc)
    if mono.shape[0] == 0:
        raise AudioDecodeError(f"{path} holds no audio frames")
    return DecodedAudio(mono, sample_rate)


def _through_ffmpeg(
    path: Path | str, max_seconds: float, first: BaseException
) -> tuple[npt.NDArray[np.float32], int]:
    import av

    from dam_desktop.utils.av_waveform import av_samples

    try:
        return av_samples(path, max_seconds)
    except (av.FFmpegError, ValueError, OSError):
        raise AudioDecodeError(f"cannot decode {path}: {first}") from first
