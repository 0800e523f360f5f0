"""The icon of a file's type, as the desktop shows it (an archive's package, a spreadsheet's
sheet, a script's page), for the tiles of generic assets, which have no thumbnail.

Looked up by the file's name only (`QMimeDatabase.MatchExtension` and `QFileIconProvider` on a
name read no file), once per extension. On Linux the icon theme gives it (the type's own icon,
then its generic one); without a desktop session Qt knows no theme, so the XDG icon folders and
the first installed common theme are added as the fallback. On Windows and macOS the system's
file icon provider answers. Qt's plain file icon when nothing does.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path, PurePath

from PySide6.QtCore import QFileInfo, QMimeDatabase
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFileIconProvider

COMMON_THEMES = ("Adwaita", "breeze", "Papirus", "elementary", "hicolor")


def _xdg_icon_folders() -> list[str]:
    data_dirs = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    folders = [Path.home() / ".local" / "share" / "icons"]
    folders += [Path(d) / "icons" for d in data_dirs.split(os.pathsep) if d]
    return [str(f) for f in folders if f.is_dir()]


def _find_theme() -> None:
    paths = QIcon.themeSearchPaths()
    added = [folder for folder in _xdg_icon_folders() if folder not in paths]
    if added:
        QIcon.setThemeSearchPaths([*paths, *added])
    if {QIcon.themeName(), QIcon.fallbackThemeName()} - {"", "hicolor"}:
        return  # the desktop named a real theme
    for theme in COMMON_THEMES:
        if any((Path(folder) / theme / "index.theme").is_file() for folder in QIcon.themeSearchPaths()):
            QIcon.setFallbackThemeName(theme)
            return


class TypeIcons:
    def __init__(self, fallback: QIcon) -> None:
        self.fallback = fallback
        self._mimes = QMimeDatabase()
        self._cache: dict[str, QIcon] = {}
        self._themed = sys.platform.startswith("linux")
        self._provider = None if self._themed else QFileIconProvider()
        if self._themed:
            _find_theme()

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
            found = self._themed_icon(filename) if self._themed else self._system_icon(filename)
            self._cache[key] = found
        return found

    def _themed_icon(self, filename: str) -> QIcon:
        mime = self._mimes.mimeTypeForFile(filename, QMimeDatabase.MatchMode.MatchExtension)
        for name in (mime.iconName(), mime.genericIconName()):
            themed = QIcon.fromTheme(name) if name else QIcon()
            if not themed.isNull():
                return themed
        return self.fallback

    def _system_icon(self, filename: str) -> QIcon:
        assert self._provider is not None
        icon = self._provider.icon(QFileInfo(filename))
        return self.fallback if icon.isNull() else icon
