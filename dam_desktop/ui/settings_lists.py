"""A list of strings in QSettings, read back the same from every backend."""

from __future__ import annotations

from PySide6.QtCore import QSettings


def string_list(settings: QSettings, key: str) -> list[str]:
    stored = settings.value(key, [])
    if isinstance(stored, str):  # an INI file gives back a one-item list as a plain string
        return [stored] if stored else []
    return [str(entry) for entry in stored] if isinstance(stored, list) else []
