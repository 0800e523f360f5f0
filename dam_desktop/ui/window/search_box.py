"""The toolbar's search box: a line edit that says what it is doing.

- Escape clears it (and, when it is already empty, leaves a result such as "Find similar").
- Its × is there whenever it holds text, also when the text was set for it (a sidebar click):
  the text is set without blocking signals, which is what used to hide the ×.
- A query error is shown where it is: the offending characters get a red wavy underline, and a
  one-line message points at them from just below the box, until the next query runs.
- The magnifier (or Down in an empty box) opens the recent searches.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QIcon,
    QKeyEvent,
    QPainter,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

ERROR_COLOUR = "#e5534b"


def search_icon() -> QIcon:
    """A magnifying glass with a small drop-down arrow (Qt's standard icons have none)."""
    pixmap = QPixmap(40, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor("#9aa3b2"), 3.2)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawEllipse(QRectF(3, 5, 15, 15))
    painter.drawLine(QPointF(16, 18), QPointF(24, 26))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#9aa3b2"))
    painter.drawPolygon([QPointF(29, 13), QPointF(38, 13), QPointF(33.5, 19)])
    painter.end()
    return QIcon(pixmap)


class SearchBox(QLineEdit):
    edited = Signal(str)  # the text changed by the user (not by `show_text`)
    escaped = Signal()  # Escape in a box that is already empty
    history_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchBox")
        self.setClearButtonEnabled(True)
        self.history_action = self.addAction(search_icon(), QLineEdit.ActionPosition.LeadingPosition)
        self.history_action.setObjectName("recentSearchesAction")
        self.history_action.setToolTip("Recent searches")
        self.history_action.triggered.connect(self.history_requested)
        self._quiet = False
        self.error_position: int | None = None
        self.error_message = ""
        self.error_label: QLabel | None = None
        self.textChanged.connect(self._on_text_changed)

    # text -------------------------------------------------------------------------------------------
    def show_text(self, text: str) -> None:
        """Show `text` without it counting as an edit (the window already searches for it)."""
        if text == self.text():
            return
        self._quiet = True
        try:
            self.setText(text)
        finally:
            self._quiet = False

    def _on_text_changed(self, text: str) -> None:
        if not self._quiet:
            self.edited.emit(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            if self.text():
                self.clear()
            else:
                self.escaped.emit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Down and not self.text():
            self.history_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    # errors -----------------------------------------------------------------------------------------
    def show_error(self, message: str | None, position: int = 0, length: int = 1) -> None:
        """Mark the query's error at `position` (an offset in the stripped query), or clear it."""
        self.setProperty("invalid", message is not None)
        self.style().unpolish(self)
        self.style().polish(self)
        if message is None:
            self.error_position = None
            self.error_message = ""
            self._underline(None, 0)
            if self.error_label is not None:
                self.error_label.hide()
            self.setToolTip("")
            return
        text = self.text()
        start = min(len(text), position + len(text) - len(text.lstrip()))
        self.error_position, self.error_message = start, message
        self._underline(start, length)
        self.setToolTip(message)
        self._place_error_label()

    def _underline(self, start: int | None, length: int) -> None:
        """A red wavy underline under the error's characters, drawn by the line edit's own layout
        (the input-method format list is the one public way to style part of a QLineEdit)."""
        # Imported on the first query, not on the way to the first paint: their classes' enums
        # cost milliseconds to create.
        from PySide6.QtGui import QInputMethodEvent, QTextCharFormat

        attributes = []
        if start is not None:
            shown = max(1, min(length, len(self.text()) - start)) if start < len(self.text()) else 1
            form = QTextCharFormat()
            form.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            form.setUnderlineColor(QColor(ERROR_COLOUR))
            form.setForeground(QColor(ERROR_COLOUR))
            attributes.append(
                QInputMethodEvent.Attribute(
                    QInputMethodEvent.AttributeType.TextFormat,
                    start - self.cursorPosition(),
                    shown,
                    form,
                )
            )
        self.inputMethodEvent(QInputMethodEvent("", attributes))

    def error_x(self) -> int:
        """Where the error is in the box, in the box's coordinates."""
        if self.error_position is None:
            return 0
        cursor = self.cursorPosition()
        self.blockSignals(True)
        self.setCursorPosition(self.error_position)
        x = self.cursorRect().center().x()
        self.setCursorPosition(cursor)
        self.blockSignals(False)
        return x

    def _place_error_label(self) -> None:
        host = self.window()
        if self.error_label is None:
            self.error_label = QLabel(host)
            self.error_label.setObjectName("searchError")
            self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        label = self.error_label
        label.setText(f"▲ {self.error_message}")
        label.adjustSize()
        anchor = self.mapTo(host, QPoint(self.error_x(), self.height()))
        left = max(4, min(anchor.x() - 12, host.width() - label.width() - 4))
        label.move(left, anchor.y() + 2)
        label.show()
        label.raise_()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.error_label is not None and self.error_label.isVisible():
            self._place_error_label()
