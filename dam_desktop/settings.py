"""App-wide identity and default locations."""

from __future__ import annotations

import os
from pathlib import Path

ORGANIZATION_NAME = "dam-desktop"
APPLICATION_NAME = "dam-desktop"
DEFAULT_LIBRARY_FOLDER = "Default Library"
LIBRARY_ENV_VAR = "DAM_DESKTOP_LIBRARY"


def default_library_path() -> Path:
    """The library opened when none is given: `$DAM_DESKTOP_LIBRARY`, else the platform data folder.

    The platform folder comes from Qt's QStandardPaths (e.g. ~/.local/share/dam-desktop on Linux,
    %APPDATA%/dam-desktop on Windows, ~/Library/Application Support/dam-desktop on macOS).
    """
    override = os.environ.get(LIBRARY_ENV_VAR)
    if override:
        return Path(override).expanduser()
    from PySide6.QtCore import QCoreApplication, QStandardPaths

    QCoreApplication.setOrganizationName(ORGANIZATION_NAME)
    QCoreApplication.setApplicationName(APPLICATION_NAME)
    data_dir = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(data_dir) / DEFAULT_LIBRARY_FOLDER


MODELS_FOLDER = "models"


def app_data_dir() -> Path:
    """The app's own data folder: ~/.local/share/dam-desktop on Linux, %LOCALAPPDATA%\\dam-desktop
    on Windows, ~/Library/Application Support/dam-desktop on macOS.

    Built from Qt's generic data location plus the app's name, not from AppDataLocation, which
    appends organisation and application name both and gave ~/.local/share/dam-desktop/dam-desktop.
    """
    from PySide6.QtCore import QStandardPaths

    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericDataLocation)
    return Path(base) / APPLICATION_NAME


def models_dir() -> Path:
    """The one models folder: imported weights live here (downloads go to the Hugging Face cache)."""
    return app_data_dir() / MODELS_FOLDER


def downloads_turned_off() -> bool:
    """HF_HUB_OFFLINE asks for no network; read from the environment, cheaply, on any thread.

    Here rather than in `ml`, so the window can grey out its download buttons without naming ml."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}
