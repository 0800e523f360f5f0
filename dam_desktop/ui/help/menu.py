"""The Help menu: Keyboard Shortcuts (F1) and About."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow


class HelpMenu(QObject):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.menu = window.menuBar().addMenu("&Help")
        self.shortcuts_action = self.menu.addAction("&Keyboard Shortcuts")
        self.shortcuts_action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.about_action = self.menu.addAction("&About dam-desktop")
        self.dialog: QDialog | None = None  # the one shown last
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.about_action.triggered.connect(self.show_about)

    def show_shortcuts(self) -> QDialog:
        from dam_desktop.ui.help.shortcuts import ShortcutsDialog

        # Built anew each time: parts of the app add their actions after the window opens.
        return self._show(ShortcutsDialog(self.window))

    def show_about(self) -> QDialog:
        from dam_desktop.ui.help.about import AboutDialog

        return self._show(AboutDialog(self.window))

    def _show(self, dialog: QDialog) -> QDialog:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = dialog
        dialog.show()
        dialog.raise_()
        return dialog
