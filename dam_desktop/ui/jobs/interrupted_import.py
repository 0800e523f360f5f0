"""An import still running when the window closes is cancelled at once (quitting never waits for
it) and remembered in the user's settings, per library; the next window on that library starts it
again. Files imported before the quit are recognised by their content and not stored twice."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from dam_desktop.ui.settings_lists import per_library_key, string_list

KEY = "import/interrupted_{}"


def _key(library: Path) -> str:
    return per_library_key(KEY, library)


def remember(settings: QSettings, library: Path, paths: list[Path], mode: str) -> None:
    settings.setValue(_key(library), [mode, *(str(p) for p in paths)])
    settings.sync()


def take(settings: QSettings, library: Path) -> tuple[list[Path], str] | None:
    """The import to resume on `library` (forgotten once taken), or None."""
    stored = string_list(settings, _key(library))
    settings.remove(_key(library))
    if len(stored) < 2:
        return None
    mode, *paths = stored
    existing = [Path(p) for p in paths if Path(p).exists()]
    return (existing, "reference" if mode == "reference" else "copy") if existing else None
