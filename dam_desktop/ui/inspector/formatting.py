"""How the inspector, the players and the tiles write sizes, dates and lengths of time, and the
inspector's property rows: a small module, so that the grid and the inspector need not load the
players' (QtMultimedia) to show a sound's duration."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dam_desktop.services.browse.browse_service import AssetDetails

SHORT_SOUND_S = 1.0  # shorter sounds show their times in tenths of a second
LOCATION_KINDS = {"managed": "Stored copy", "trash": "In the trash", "reference": "Linked file"}


def format_time(seconds: float, *, tenths: bool = False) -> str:
    """m:ss (h:mm:ss past an hour); with `tenths`, m:ss.s (for sounds shorter than a second,
    which would otherwise all read 0:00)."""
    seconds = max(0.0, seconds)
    if tenths and seconds < 60:
        return f"0:{seconds:04.1f}"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def format_date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "—"


def property_rows(details: AssetDetails) -> list[tuple[str, str]]:
    """The inspector's (name, value) rows for one asset, in the order shown."""
    rows: list[tuple[str, str]] = []
    if details.width and details.height:
        rows.append(("Dimensions", f"{details.width} × {details.height} px"))
    if details.duration_seconds is not None:
        duration = details.duration_seconds
        rows.append(("Duration", format_time(duration, tenths=duration < SHORT_SOUND_S)))
    if details.frame_rate:
        rows.append(("Frame rate", f"{details.frame_rate:.3g} fps"))
    if details.video_codec:
        codecs = " + ".join(c.upper() for c in (details.video_codec, details.audio_codec) if c)
        rows.append(("Codecs", codecs if details.audio_codec else f"{codecs} (no sound)"))
    if details.sample_rate:
        channels = {1: "mono", 2: "stereo"}.get(details.channels or 0, f"{details.channels} channels")
        rows.append(("Audio", f"{details.sample_rate:,} Hz, {channels}"))
    rows.extend(details.audio_tags.items())
    if details.page_count:
        rows.append(("Pages", f"{details.page_count:,}"))
    if details.document_title:
        rows.append(("Font" if details.asset_type == "font" else "Title", details.document_title))
    rows.append(("Size", f"{format_size(details.size_bytes)} ({details.size_bytes:,} bytes)"))
    rows.append(("Type", details.mime_type or "—"))
    if details.camera:
        rows.append(("Camera", details.camera))
    if details.taken_at:
        rows.append(("Recorded" if details.asset_type == "video" else "Taken", format_date(details.taken_at)))
    rows.append(("Added", format_date(details.added_at)))
    if details.trashed_at:
        rows.append(("In trash since", format_date(details.trashed_at)))
    rows.append(("SHA-256", details.sha256_hex))
    for location in details.locations:
        kind = LOCATION_KINDS.get(location.storage_type, "Linked file")
        rows.append((kind, str(location.path)))
    return rows


def breakable(value: str) -> str:
    """Long hashes and paths wrap inside the narrow panel instead of widening it."""
    return "\u200b".join(value[i : i + 16] for i in range(0, len(value), 16))
