"""A list of strings in QSettings, read back the same from every backend, and the keys of settings
kept per library."""

from __future__ import annotations

from PySide6.QtCore import QSettings


def string_list(settings: QSettings, key: str) -> list[str]:
    stored = settings.value(key, [])
    if isinstance(stored, str):  # an INI file gives back a one-item list as a plain string
        return [stored] if stored else []
    return [str(entry) for entry in stored] if isinstance(stored, list) else []


def per_library_key(template: str, library: object) -> str:
    """`template` ("search/recent_{}") filled with a short digest of the library's path or URL."""
    import hashlib  # with the first such setting read, not before the window's first paint

    return template.format(hashlib.sha1(str(library).encode("utf-8", "surrogateescape")).hexdigest()[:16])
