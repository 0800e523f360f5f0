"""Starting the window as fast as possible: `dam-desktop [--library PATH]` comes here.

Before Qt's widgets are even imported, the library is locked and its first grid is being read
on another thread (`library_opening`); `app.run_gui` then builds the window around that head
start. Only QtCore is loaded first, for the remembered sort order.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def start_gui(library: str | None, qt_args: Sequence[str] = ()) -> int:
    from PySide6.QtCore import QSettings

    from dam_desktop.library_opening import begin_opening
    from dam_desktop.settings import APPLICATION_NAME, ORGANIZATION_NAME, default_library_path
    from dam_desktop.ui.grid.grid_settings import saved_sort

    library_path = Path(library).expanduser() if library else default_library_path()
    opening = begin_opening(library_path, *saved_sort(QSettings(ORGANIZATION_NAME, APPLICATION_NAME)))

    from dam_desktop.app import run_gui

    return run_gui(library_path, qt_args, opening)
