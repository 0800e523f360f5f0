"""The inspector's note on a trashed asset: since when, where the trash keeps it, and Restore."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class TrashBar(QFrame):
    restore_clicked = Signal()

    def __init__(self, library_root: Callable[[], Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trashBar")
        self.library_root = library_root
        self.label = QLabel("", self)
        self.label.setWordWrap(True)
        self.restore_button = QPushButton("Restore to Library", self)
        self.restore_button.clicked.connect(self.restore_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.restore_button)
        layout.addLayout(row)
        self.hide()

    def show_trashed(self, since: str | datetime, where: Path | None) -> None:
        text = f"In the trash since {since}."
        if where is not None:
            root = self.library_root()  # a shared library's store is known once it is open
            shown = (where.relative_to(root) if where.is_relative_to(root) else where).as_posix()
            # Breakable every 16 characters: a hash in the path would widen the narrow panel.
            text += "\nKept in the library's " + "\u200b".join(
                shown[i : i + 16] for i in range(0, len(shown), 16)
            )
            self.label.setToolTip(str(where))
        self.label.setText(text)
        self.show()
