"""The tag editor's chips and the flow layout that wraps them to the inspector's width.

A chip is as wide as its name when there is room; in a narrower panel it shrinks to the line and
elides the middle of its name (the count of a partial chip and the leaf of `places|europe|paris`
stay readable), so one long tag never makes the inspector wider than its other rows need.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLayout,
    QLayoutItem,
    QSizePolicy,
    QStyle,
    QStyleOptionToolButton,
    QStylePainter,
    QToolButton,
    QWidget,
    QWidgetItem,
)

from dam_desktop.services.tags.tag_types import TagInfo

CHIP_MIN_TEXT = 48  # the least of a chip's name shown, in pixels, however narrow the panel


class FlowLayout(QLayout):
    """Lays widgets out left to right, wrapping to the next line (Qt's flow layout example); an
    item wider than the line gets the line's width, down to its minimum."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def addWidget(self, widget: QWidget) -> None:
        self.addChildWidget(widget)
        self.addItem(QWidgetItem(widget))

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def forget_items(self) -> None:
        """Drop every item without asking it for its widget (which may be gone already)."""
        self._items.clear()
        self.invalidate()

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._do_layout(QRect(0, 0, width, 0), test=True)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._do_layout(rect, test=False)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _do_layout(self, rect: QRect, test: bool) -> int:
        x, y, line = rect.x(), rect.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            width = max(min(hint.width(), rect.width()), item.minimumSize().width())
            if x + width > rect.right() + 1 and line > 0:
                x = rect.x()
                y += line + self._spacing
                line = 0
            if not test:
                item.setGeometry(QRect(QPoint(x, y), QSize(width, hint.height())))
            x += width + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y()


class ElidingToolButton(QToolButton):
    """A tool button that asks for its whole text but, given less, shows it elided in the middle;
    `text()` stays whole."""

    def minimumSizeHint(self) -> QSize:
        hint = self.sizeHint()
        text_width = self.fontMetrics().horizontalAdvance(self.text())
        return QSize(hint.width() - text_width + min(text_width, CHIP_MIN_TEXT), hint.height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        option = QStyleOptionToolButton()
        self.initStyleOption(option)
        metrics = self.fontMetrics()
        whole = metrics.horizontalAdvance(option.text)
        room = self.width() - (self.sizeHint().width() - whole)
        if room < whole:  # never elide a text given its own (rounded) width: it would lose a letter
            option.text = metrics.elidedText(option.text, Qt.TextElideMode.ElideMiddle, room)
        QStylePainter(self).drawComplexControl(QStyle.ComplexControl.CC_ToolButton, option)


class TagChip(QFrame):
    """One tag: its name (click to apply a partial tag to all) and a × that removes it."""

    applyRequested = Signal(int)
    removeRequested = Signal(int)

    def __init__(self, tag: TagInfo, carried: int, selected: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tag = tag
        self.partial = carried < selected
        self.setObjectName("tagChipPartial" if self.partial else "tagChip")
        self.setProperty("partial", self.partial)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        colour = tag.color or "#3d6fb6"
        border = "dashed" if self.partial else "solid"
        background = "transparent" if self.partial else colour
        self.setStyleSheet(
            f"QFrame#{self.objectName()} {{ border: 1px {border} {colour}; border-radius: 9px;"
            f" background: {background}; }} QToolButton {{ border: none; color: palette(text); }}"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 2, 0)
        layout.setSpacing(0)
        text = f"{tag.name}  {carried}/{selected}" if self.partial else tag.name
        self.name_button = ElidingToolButton(self)
        self.name_button.setText(text)
        self.name_button.setAutoRaise(True)
        self.name_button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        if self.partial:
            self.name_button.setToolTip(
                f"{tag.name}: on {carried} of {selected} selected assets — click to add to all"
            )
            self.name_button.clicked.connect(lambda: self.applyRequested.emit(tag.id))
        else:
            self.name_button.setToolTip(f"{tag.name} — used on {tag.use_count:,} assets")
        self.remove_button = QToolButton(self)
        self.remove_button.setText("×")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setToolTip(f"Remove '{tag.name}' from the selection")
        self.remove_button.clicked.connect(lambda: self.removeRequested.emit(tag.id))
        layout.addWidget(self.name_button)
        layout.addWidget(self.remove_button)
