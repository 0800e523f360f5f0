"""Where the app's bundled data lives, from a source checkout or a PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def install_root() -> Path:
    """The folder holding `resources/` and `migrations/`.

    A PyInstaller bundle unpacks data next to the executable (``sys._MEIPASS``); a source checkout
    or editable install keeps them at the repository root, one level above the package.
    """
    bundled = getattr(sys, "_MEIPASS", None)
    if bundled:
        return Path(bundled)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return install_root() / "resources"


def migrations_dir() -> Path:
    return install_root() / "migrations"
