"""Where the app's bundled data lives: a PyInstaller bundle, an installed wheel or a source checkout."""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGED_DATA = "_data"


def install_root() -> Path:
    """The folder holding `resources/` and `migrations/`.

    A PyInstaller bundle unpacks data next to the executable (``sys._MEIPASS``); a wheel carries
    them in the package as `_data/` (setup.py copies them there when it builds); a source checkout
    or editable install keeps them at the repository root, one level above the package.
    """
    bundled = getattr(sys, "_MEIPASS", None)
    if bundled:
        return Path(bundled)
    package = Path(__file__).resolve().parent
    if (package / PACKAGED_DATA).is_dir():
        return package / PACKAGED_DATA
    return package.parent


def resources_dir() -> Path:
    return install_root() / "resources"


def migrations_dir() -> Path:
    return install_root() / "migrations"
