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
