"""Weights-free sound fingerprints by model name: decode a file and compute the named one.

The fingerprints themselves live in one module each (`sound_fingerprint` is the default,
`logmel_stats_v1` the one it replaced); this table is the only place that maps a stored model
name to its function, so the services and the evaluation never branch on names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from dam_desktop.ml import logmel_stats_v1, sound_fingerprint
from dam_desktop.ml.audio_decode import MAX_SECONDS, AudioDecodeError, DecodedAudio, load_audio
from dam_desktop.ml.sound_fingerprint import Vector

__all__ = [
    "FINGERPRINTS",
    "MODEL_NAME",
    "AudioDecodeError",
    "DecodedAudio",
    "each_file",
    "embed_file",
    "load_audio",
]

T = TypeVar("T")

FINGERPRINTS: dict[str, Callable[[DecodedAudio], Vector]] = {
    sound_fingerprint.MODEL_NAME: sound_fingerprint.embed_decoded,
    logmel_stats_v1.MODEL_NAME: logmel_stats_v1.embed_decoded,
}
MODEL_NAME = sound_fingerprint.MODEL_NAME


def embed_file(path: Path | str, model_name: str = MODEL_NAME, max_seconds: float = MAX_SECONDS) -> Vector:
    """Decode and fingerprint a sound file; raises AudioDecodeError if it cannot be read."""
    return FINGERPRINTS[model_name](load_audio(path, max_seconds))


def each_file(work: Callable[[Path], T], paths: Iterable[Path]) -> tuple[list[T | None], list[str]]:
    """`work` on every file: its results (None where the file cannot be decoded) and, beside each,
    why not (the AudioDecodeError's message, which users see per file; "" where it could), so one
    bad file never costs the others theirs."""
    results: list[T | None] = []
    errors: list[str] = []
    for path in paths:
        try:
            results.append(work(path))
            errors.append("")
        except AudioDecodeError as exc:
            results.append(None)
            errors.append(str(exc))
    return results, errors
