"""What the window remembers between runs (QSettings): its geometry, the splitter, the tile size,
the sort and the import mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings

from dam_desktop.ui.grid.grid_settings import ZOOM_KEY, save_sort

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow


def setting_int(settings: QSettings, key: str, default: int) -> int:
    try:
        return int(str(settings.value(key, default)))
    except (TypeError, ValueError):
        return default


def restore_window_state(window: MainWindow) -> None:
    for key, restore in (
        ("window/geometry", window.restoreGeometry),
        ("window/state", window.restoreState),
        ("window/splitter", window.splitter.restoreState),
    ):
        value = window.settings.value(key)
        if isinstance(value, QByteArray):
            restore(value)


def save_window_state(window: MainWindow) -> None:
    settings = window.settings
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
    settings.setValue("window/splitter", window.splitter.saveState())
    settings.setValue(ZOOM_KEY, window.grid.tile_size)
    save_sort(settings, window.sort, window.descending)
    settings.setValue("import/mode", window.importer.mode)
    settings.sync()
