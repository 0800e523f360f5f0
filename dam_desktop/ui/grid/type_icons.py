"""The icon of a file's type, as the desktop shows it (a ZIP's archive icon, a text file's page),
for the tiles of generic assets, which have no thumbnail.

Looked up by the file's name only (`QMimeDatabase.MatchExtension` reads no file) in the icon
theme, then its generic icon, then Qt's plain file icon; once per extension.
"""

from __future__ import annotations

from pathlib import PurePath

from PySide6.QtCore import QMimeDatabase
from PySide6.QtGui import QIcon


class TypeIcons:
    def __init__(self, fallback: QIcon) -> None:
        self.fallback = fallback
        self._mimes = QMimeDatabase()
        self._cache: dict[str, QIcon] = {}

    @property
    def looked_up(self) -> set[str]:
        """The extensions whose icon was looked up (each once)."""
        return set(self._cache)

    def key(self, filename: str) -> str:
        return PurePath(filename).suffix.lower()

    def icon(self, filename: str) -> QIcon:
        key = self.key(filename)
        found = self._cache.get(key)
        if found is None:
            mime = self._mimes.mimeTypeForFile(filename, QMimeDatabase.MatchMode.MatchExtension)
            found = self.fallback
            for name in (mime.iconName(), mime.genericIconName()):
                themed = QIcon.fromTheme(name) if name else QIcon()
                if not themed.isNull():
                    found = themed
                    break
            self._cache[key] = found
        return found
