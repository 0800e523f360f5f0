"""Sounds libsndfile cannot read (AAC/M4A, WMA, Matroska audio ...), decoded by PyAV."""

from __future__ import annotations

from dam_desktop.services.media.audio_tags import read_audio_tags
from dam_desktop.services.media.media_facts import AudioFacts, MediaError, Probe, Source
from dam_desktop.services.media.thumbnails import WAVEFORM_SIZE, render_waveform
from dam_desktop.utils.av_waveform import av_sound
from dam_desktop.utils.media_utils import MediaFormat
from dam_desktop.utils.native_messages import ffmpeg_section

# FFmpeg's demuxer names as a person knows the containers.
CONTAINER_NAMES = {"mov": "MP4", "matroska": "MATROSKA", "asf": "ASF", "ogg": "OGG", "aac": "ADTS"}


def probe(source: Source, fmt: MediaFormat) -> Probe:
    import av

    try:
        with ffmpeg_section():  # what FFmpeg says about this file goes into its notes
            sound = av_sound(source, WAVEFORM_SIZE[0])
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise MediaError(f"corrupt or unreadable {fmt.name}: {av_reason(exc)}") from exc
    except MemoryError as exc:
        raise MediaError(f"not enough memory to read this {fmt.name}") from exc
    if len(sound.lows) == 0 or sound.sample_rate <= 0:
        raise MediaError(f"{fmt.name} holds no sound (0 samples)")
    facts = AudioFacts(
        duration_seconds=sound.duration_seconds,
        sample_rate=sound.sample_rate,
        channels=sound.channels,
        audio_format=CONTAINER_NAMES.get(container := sound.container.split(",")[0], container.upper())[:32],
        subtype=sound.codec.upper()[:32],
        tags=read_audio_tags(source),
    )
    return Probe(thumbnail=render_waveform(sound.lows, sound.highs), audio=facts)


def av_reason(exc: BaseException) -> str:
    """FFmpeg's words without the errno and file name PyAV wraps them in."""
    import av

    if isinstance(exc, av.FFmpegError):
        return str(getattr(exc, "strerror", None) or exc).rstrip(".").lower()
    return str(exc)
