"""The preference keys and their readers (QSettings gives strings back from an INI file)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from dam_desktop.ui.backdrop import BACKDROPS, DEFAULT_BACKDROP
from dam_desktop.ui.jobs.background_work import PAUSED_KEY

BACKDROP_KEY = "view/backdrop"
AUTOPLAY_KEY = "sound/autoplay"
LOOP_KEY = "sound/loop"
VOLUME_KEY = "sound/volume"
IMPORT_MODE_KEY = "import/mode"  # the window's own key: "copy" or "reference"
ANY_FILE_KEY = "import/any_file"  # import files no decoder recognises as generic assets (off)
CACHE_KEY = "grid/cache_mb"  # the window's own key: the thumbnail memory budget
DEFAULT_VOLUME = 80
__all__ = ["PAUSED_KEY"]


def read_bool(settings: QSettings, key: str, default: bool = False) -> bool:
    value = settings.value(key, default)
    return value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes")


def read_int(settings: QSettings, key: str, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(str(settings.value(key, default)))))
    except ValueError:
        return default


def backdrop(settings: QSettings) -> str:
    value = str(settings.value(BACKDROP_KEY, DEFAULT_BACKDROP))
    return value if value in BACKDROPS else DEFAULT_BACKDROP


def volume(settings: QSettings) -> int:
    return read_int(settings, VOLUME_KEY, DEFAULT_VOLUME, 0, 100)
