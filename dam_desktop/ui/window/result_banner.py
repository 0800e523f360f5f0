"""The strip above the grid that says what it shows when that is not the whole library: a result
("Similar to x.png", with a way back) or the trash (with "Empty Trash…")."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

TRASH_TEXT = (
    "Assets in the trash are out of the library but not deleted. "
    "Right-click to restore them, or empty the trash to delete them for good."
)


class ResultBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultBanner")
        self.label = QLabel("", self)
        self.label.setWordWrap(True)
        self.button = QPushButton("", self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 10, 8)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.hide()

    def show_result(self, title: str) -> None:
        self.label.setText(title)
        self.button.setText("Back to All Assets")
        self.button.show()
        self.show()

    def show_trash(self, trashed: int) -> None:
        self.show()
        if trashed:
            self.label.setText(TRASH_TEXT)
            self.button.setText("Empty Trash…")
            self.button.show()
        else:
            self.label.setText("The trash is empty.")
            self.button.hide()
