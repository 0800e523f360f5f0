"""The inspector's Marks section: stars, colour label, pick/reject, note and source URL for the
selection, one asset or many (a bulk edit: what all share is shown, a change applies to all).

The widget only shows and asks; `MarksEdits` (ui/marks/install.py) runs the change on the world
thread and puts it on the window's undo stack.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dam_desktop.ui.grid.tile_marks import LABEL_COLOURS
from dam_desktop.use_cases.marks import MarkChanges, Marks

STAR, NO_STAR = "★", "☆"


def common(values: list[Marks], field: str) -> object:
    """The value every asset shares, or `...` when they differ."""
    first = getattr(values[0], field) if values else None
    return first if all(getattr(v, field) == first for v in values) else ...


class MarksEditor(QWidget):
    change_requested = Signal(object)  # MarkChanges for the current selection

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("marksEditor")
        self.marks: list[Marks] = []
        self.stars: list[QToolButton] = []
        stars_row = QHBoxLayout()
        stars_row.setSpacing(0)
        for n in range(1, 6):
            star = QToolButton(self)
            star.setObjectName("starButton")
            star.setText(NO_STAR)
            star.setToolTip(f"{n} star{'s' if n > 1 else ''} (key {n}; click again to clear)")
            star.setAutoRaise(True)
            star.clicked.connect(lambda _c=False, stars=n: self._rate(stars))
            self.stars.append(star)
            stars_row.addWidget(star)
        self.rating_note = QLabel("", self)
        self.rating_note.setObjectName("dimLabel")
        stars_row.addSpacing(6)
        stars_row.addWidget(self.rating_note)
        stars_row.addStretch(1)

        self.labels: dict[str, QToolButton] = {}
        labels_row = QHBoxLayout()
        labels_row.setSpacing(4)
        for name, colour in LABEL_COLOURS.items():
            swatch = QToolButton(self)
            swatch.setCheckable(True)
            swatch.setToolTip(f"Label {name} (label:{name}); click again to clear")
            swatch.setFixedSize(20, 20)
            swatch.setStyleSheet(
                f"QToolButton {{ background: {colour}; border-radius: 10px; border: 2px solid transparent; }}"
                f"QToolButton:hover {{ background: {QColor(colour).lighter(120).name()}; }}"
                "QToolButton:checked { border: 3px solid #f2f4f8; }"
            )
            swatch.clicked.connect(lambda _c=False, label=name: self._label(label))
            self.labels[name] = swatch
            labels_row.addWidget(swatch)
        labels_row.addStretch(1)

        self.pick = QToolButton(self)
        self.pick.setText("✓ Pick")
        self.pick.setCheckable(True)
        self.reject = QToolButton(self)
        self.reject.setText("✕ Reject")
        self.reject.setCheckable(True)
        flags = QButtonGroup(self)
        flags.setExclusive(False)
        for button, flag in ((self.pick, "pick"), (self.reject, "reject")):
            flags.addButton(button)
            button.clicked.connect(lambda checked, chosen=flag: self._flag(chosen, checked))
        labels_row.addWidget(self.pick)
        labels_row.addWidget(self.reject)

        self.note = QLineEdit(self)
        self.note.setPlaceholderText("Note…")
        self.note.editingFinished.connect(lambda: self._text("note", self.note))
        self.source = QLineEdit(self)
        self.source.setPlaceholderText("Source URL…")
        self.source.editingFinished.connect(lambda: self._text("source_url", self.source))
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.note, 0, 0)
        grid.addWidget(self.source, 1, 0)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(stars_row)
        layout.addLayout(labels_row)
        layout.addLayout(grid)
        self.setEnabled(False)

    # showing ------------------------------------------------------------------------------------
    def show_marks(self, marks: list[Marks]) -> None:
        self.marks = marks
        self.setEnabled(bool(marks))
        rating = common(marks, "rating")
        for n, star in enumerate(self.stars, start=1):
            star.setText(STAR if isinstance(rating, int) and n <= rating else NO_STAR)
        self.rating_note.setText("mixed" if rating is ... else "")
        label = common(marks, "label")
        for name, swatch in self.labels.items():
            swatch.setChecked(label == name)
        flag = common(marks, "flag")
        self.pick.setChecked(flag == "pick")
        self.reject.setChecked(flag == "reject")
        self._fill(self.note, common(marks, "note"))
        self._fill(self.source, common(marks, "source_url"))

    @staticmethod
    def _fill(edit: QLineEdit, value: object) -> None:
        if edit.hasFocus():
            return  # never overwrite what the user is typing
        edit.setText(value if isinstance(value, str) else "")
        edit.setPlaceholderText(
            "Several values…"
            if value is ...
            else ("Note…" if edit.placeholderText().startswith("Note") else "Source URL…")
        )
        edit.setModified(False)

    # asking -------------------------------------------------------------------------------------
    def _rate(self, stars: int) -> None:
        current = common(self.marks, "rating")
        self.change_requested.emit(MarkChanges(rating=0 if current == stars else stars))

    def _label(self, label: str) -> None:
        if common(self.marks, "label") == label:
            self.change_requested.emit(MarkChanges(clear_label=True))
        else:
            self.change_requested.emit(MarkChanges(label=label))

    def _flag(self, flag: str, checked: bool) -> None:
        self.change_requested.emit(MarkChanges(flag=flag) if checked else MarkChanges(clear_flag=True))

    def _text(self, field: str, edit: QLineEdit) -> None:
        if edit.isModified():
            edit.setModified(False)
            text = edit.text()
            self.change_requested.emit(
                MarkChanges(note=text) if field == "note" else MarkChanges(source_url=text)
            )
