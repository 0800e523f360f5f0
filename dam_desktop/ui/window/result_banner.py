"""The strip above the grid that says what it shows when that is not the whole library: a result
("Similar to Storm.jpg — visual descriptor", with the tag query narrowing it as a removable chip
and a way back) or the trash (with "Empty Trash…")."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

TRASH_TEXT = (
    "Assets in the trash are out of the library but not deleted. "
    "Right-click to restore them, or empty the trash to delete them for good."
)


class QueryChip(QFrame):
    """A tag query narrowing a result, shown so it never stays set unseen; × removes it."""

    removed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queryChip")
        self.label = QLabel("", self)
        self.label.setObjectName("queryChipText")
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("queryChipClose")
        self.close_button.setText("×")
        self.close_button.setToolTip("Stop narrowing by this tag query")
        self.close_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.close_button.clicked.connect(self.removed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 1, 2, 1)
        layout.setSpacing(2)
        layout.addWidget(self.label)
        layout.addWidget(self.close_button)
        self.hide()

    def show_query(self, query: str) -> None:
        self.label.setText(f"Only: {query}")
        self.label.setToolTip(f"The result is narrowed to assets matching the tag query “{query}”")
        self.setVisible(bool(query))


class ResultBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultBanner")
        self.label = QLabel("", self)
        self.label.setObjectName("resultTitle")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.notes = QLabel("", self)
        self.notes.setObjectName("dimLabel")
        self.notes.setWordWrap(True)
        self.notes.hide()
        self.chip = QueryChip(self)
        self.button = QPushButton("", self)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.label)
        texts.addWidget(self.notes)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 10, 8)
        layout.addLayout(texts, 1)
        layout.addWidget(self.chip, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    def show_result(self, title: str, narrowing: str = "", notes: Sequence[str] = ()) -> None:
        self.label.setText(title)
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))
        self.chip.show_query(narrowing)
        self.button.setText("Back to All Assets")
        self.button.show()
        self.show()

    def show_trash(self, trashed: int) -> None:
        self.chip.hide()
        self.notes.hide()
        self.show()
        if trashed:
            self.label.setText(TRASH_TEXT)
            self.button.setText("Empty Trash…")
            self.button.show()
        else:
            self.label.setText("The trash is empty.")
            self.button.hide()
