"""Weights-free sound fingerprints by model name: decode a file and compute the named one.

The fingerprints themselves live in one module each (`sound_fingerprint` is the default,
`logmel_stats_v1` the one it replaced); this table is the only place that maps a stored model
name to its function, so the services and the evaluation never branch on names.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dam_desktop.ml import logmel_stats_v1, sound_fingerprint
from dam_desktop.ml.audio_decode import MAX_SECONDS, AudioDecodeError, DecodedAudio, load_audio
from dam_desktop.ml.sound_fingerprint import Vector

__all__ = ["FINGERPRINTS", "MODEL_NAME", "AudioDecodeError", "DecodedAudio", "embed_file", "load_audio"]

FINGERPRINTS: dict[str, Callable[[DecodedAudio], Vector]] = {
    sound_fingerprint.MODEL_NAME: sound_fingerprint.embed_decoded,
    logmel_stats_v1.MODEL_NAME: logmel_stats_v1.embed_decoded,
}
MODEL_NAME = sound_fingerprint.MODEL_NAME


def embed_file(path: Path | str, model_name: str = MODEL_NAME, max_seconds: float = MAX_SECONDS) -> Vector:
    """Decode and fingerprint a sound file; raises AudioDecodeError if it cannot be read."""
    return FINGERPRINTS[model_name](load_audio(path, max_seconds))
