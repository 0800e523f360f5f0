"""Preferences › Models…: the menu entry that opens the one Models dialog of a window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QWidget

if TYPE_CHECKING:
    from dam_desktop.ui.models.models_dialog import ModelsDialog


def open_models_dialog(window: QWidget, select: str | None = None) -> ModelsDialog:
    """Show the window's Models dialog (made on first use), optionally with one model selected."""
    # Imported on first use: the dialog pulls in the model store and the hub client, which the
    # window's first paint has no need of.
    from dam_desktop.ui.models.models_dialog import ModelsDialog
    from dam_desktop.ui.world_client import WorldClient

    dialog = window.findChild(ModelsDialog)
    if dialog is None:
        # The main window's library, whose image model the dialog can switch; none elsewhere.
        client = getattr(window, "client", None)
        dialog = ModelsDialog(window, client if isinstance(client, WorldClient) else None)
    else:
        dialog.refresh()
    if select is not None:
        dialog.select(select)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def open_models_dialog_for_task(window: QWidget, task: str) -> ModelsDialog:
    """The Models dialog with the default model of `task` (a catalogue task name) selected."""
    from dam_desktop.ml.catalogue import default_entry

    return open_models_dialog(window, select=default_entry(task).name)


def install_models_menu(window: QMainWindow) -> QAction:
    menu = window.menuBar().addMenu("&Preferences")
    action = menu.addAction("&Models…")
    action.setMenuRole(QAction.MenuRole.PreferencesRole)
    action.triggered.connect(lambda: open_models_dialog(window))
    return action
