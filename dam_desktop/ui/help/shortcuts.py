"""Help › Keyboard Shortcuts: every key the window answers, read from its actions where they have
one, so the sheet cannot drift from what the keys do."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# Keys the grid and the viewers read themselves (no menu action carries them).
GRID_KEYS: list[tuple[str, str, str]] = [
    ("Browsing", "Arrow keys", "Move through the grid"),
    ("Browsing", "Shift+Arrow keys", "Extend the selection"),
    ("Browsing", "Enter", "Open with the default app"),
    ("Browsing", "Ctrl+Wheel", "Zoom the grid"),
    ("Browsing", "Ctrl+C", "Copy the selected files (paste them in a file manager)"),
    ("Viewing", "Space on a sound or clip", "Play or pause it in the inspector"),
    ("Viewing", "Left / Right in the preview", "Previous / next asset"),
    ("Metadata", "0 … 5", "Rate the selection (0 clears the rating)"),
    ("Metadata", "Ctrl+T", "Type tags for the selection"),
]


@dataclass(frozen=True)
class ShortcutRow:
    section: str
    keys: str
    what: str


def _clean(text: str) -> str:
    text = text.replace("&", "").rstrip("…").strip()
    # The undo stack names the step it would undo ("Undo Remove 2 assets"); the sheet, the verb.
    return text.split(" ", 1)[0] if text.startswith(("Undo ", "Redo ")) else text


def menu_shortcuts(window: QMainWindow) -> list[ShortcutRow]:
    """(menu, keys, action) for every menu action with a shortcut, in menu order."""
    rows: list[ShortcutRow] = []

    def walk(menu: QMenu, section: str) -> None:
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                walk(sub, section)
                continue
            keys = action.shortcut()
            if not keys.isEmpty():
                text = keys.toString(QKeySequence.SequenceFormat.NativeText)
                rows.append(ShortcutRow(section, text, _clean(action.text())))

    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            walk(menu, _clean(top.text()))
    return rows


def all_shortcuts(window: QMainWindow) -> list[ShortcutRow]:
    return menu_shortcuts(window) + [ShortcutRow(*row) for row in GRID_KEYS]


class ShortcutsDialog(QDialog):
    def __init__(self, window: QMainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setWindowTitle("Keyboard Shortcuts")
        self.setObjectName("shortcutsDialog")
        self.resize(600, 760)
        rows = all_shortcuts(window)
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setHorizontalHeaderLabels(["Where", "Keys", "What it does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setShowGrid(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        previous = ""
        for n, row in enumerate(rows):
            section = QTableWidgetItem(row.section if row.section != previous else "")
            previous = row.section
            keys = QTableWidgetItem(row.keys)
            font = keys.font()
            font.setBold(True)
            keys.setFont(font)
            keys.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            for column, item in enumerate((section, keys, QTableWidgetItem(row.what))):
                self.table.setItem(n, column, item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    def shown_keys(self) -> dict[str, str]:
        """What the sheet lists: action -> keys."""
        shown: dict[str, str] = {}
        for n in range(self.table.rowCount()):
            what, keys = self.table.item(n, 2), self.table.item(n, 1)
            if what is not None and keys is not None:
                shown[what.text()] = keys.text()
        return shown
