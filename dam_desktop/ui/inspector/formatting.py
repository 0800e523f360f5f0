"""How the inspector, the players and the tiles write sizes, dates and lengths of time: a small
module, so that the grid and the inspector need not load the players' (QtMultimedia) to show a
sound's duration."""

from __future__ import annotations

from datetime import datetime

SHORT_SOUND_S = 1.0  # shorter sounds show their times in tenths of a second


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
