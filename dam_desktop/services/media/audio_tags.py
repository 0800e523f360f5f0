"""Title, artist, album, genre, BPM and key from a sound's tags (ID3, MP4 atoms, Vorbis comments,
ASF), read with mutagen. Tags are a bonus: a file whose tags cannot be read still imports."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from dam_desktop.services.media.media_facts import AudioTags, Source

# mutagen's "easy" keys, plus the raw keys each format keeps a musical key under.
_KEY_FIELDS = ("initialkey", "key", "TKEY", "----:com.apple.iTunes:initialkey", "WM/InitialKey")
_BPM_FIELDS = ("bpm", "TBPM", "tmpo", "WM/BeatsPerMinute")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _first(tags: object, keys: tuple[str, ...]) -> str | None:
    getter = getattr(tags, "get", None)
    if getter is None:
        return None
    for key in keys:
        with contextlib.suppress(Exception):
            value = getter(key)
            if value is None:
                continue
            if isinstance(value, list | tuple):
                value = value[0] if value else None
            text = getattr(value, "text", value)
            if isinstance(text, list):
                text = text[0] if text else None
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            shown = str(text).replace("\x00", "").strip() if text is not None else ""
            if shown:
                return shown[:255]
    return None


def _bpm(text: str | None) -> float | None:
    match = _NUMBER.search(text or "")
    if match is None:
        return None
    value = float(match.group(0))
    return value if 0 < value < 1000 else None


def read_audio_tags(source: Source) -> AudioTags:
    import mutagen

    try:
        if isinstance(source, Path):
            easy = mutagen.File(str(source), easy=True)
            full = mutagen.File(str(source))
        else:
            source.seek(0)
            easy = mutagen.File(source, easy=True)
            source.seek(0)
            full = mutagen.File(source)
            source.seek(0)
    except Exception:  # mutagen raises its own error per format for damaged tags
        return AudioTags()
    easy_tags = getattr(easy, "tags", None)
    full_tags = getattr(full, "tags", None)
    return AudioTags(
        title=_first(easy_tags, ("title",)) or _first(full_tags, ("Title",)),
        artist=_first(easy_tags, ("artist",)) or _first(full_tags, ("Author",)),
        album=_first(easy_tags, ("album",)) or _first(full_tags, ("WM/AlbumTitle",)),
        genre=_first(easy_tags, ("genre",)) or _first(full_tags, ("WM/Genre",)),
        bpm=_bpm(_first(easy_tags, _BPM_FIELDS) or _first(full_tags, _BPM_FIELDS)),
        musical_key=_first(easy_tags, _KEY_FIELDS) or _first(full_tags, _KEY_FIELDS),
    )
