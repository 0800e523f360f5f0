"""The left sidebar: the library's views (All assets, Trash, ...) and sections other parts add.

`add_view(key, title, icon)` adds a navigation entry (the window decides what it shows);
`add_section(title, widget)` stacks a widget under the views (the tag sidebar goes there).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QFrame, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

VIEW_KEY_ROLE = Qt.ItemDataRole.UserRole + 10

NAV_ROW_HEIGHT = 34


class Sidebar(QFrame):
    view_selected = Signal(str)

    def __init__(self, library_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.heading = QLabel("LIBRARY", self)
        self.heading.setObjectName("sidebarHeading")
        self.library_label = QLabel(library_name, self)
        self.library_label.setObjectName("libraryName")
        self.library_label.setToolTip(library_name)
        self.nav = QListWidget(self)
        self.nav.setObjectName("sidebarNav")
        self.nav.setIconSize(QSize(18, 18))
        self.nav.setFrameShape(QFrame.Shape.NoFrame)
        self.nav.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 12, 8, 8)
        self._layout.setSpacing(6)
        self._layout.addWidget(self.heading)
        self._layout.addWidget(self.library_label)
        self._layout.addWidget(self.nav)
        self._sections = QVBoxLayout()
        self._sections.setSpacing(6)
        self._layout.addLayout(self._sections)
        self._layout.addStretch(1)
        self._stretchy_sections = False
        self._titles: dict[str, str] = {}
        self.nav.currentItemChanged.connect(self._on_current)

    def add_view(self, key: str, title: str, icon: QIcon | None = None) -> QListWidgetItem:
        item = QListWidgetItem(icon or QIcon(), title)
        item.setData(VIEW_KEY_ROLE, key)
        # A fixed row height: otherwise rows laid out before the style sheet's padding applies
        # (the window paints before the world opens) are tighter than rows added later.
        item.setSizeHint(QSize(0, NAV_ROW_HEIGHT))
        self.nav.addItem(item)
        self._titles[key] = title
        self.nav.setFixedHeight(self.nav.count() * NAV_ROW_HEIGHT + 6)
        if self.nav.currentItem() is None:
            self.nav.setCurrentItem(item)
        return item

    def add_section(self, title: str, widget: QWidget, stretch: int = 1) -> None:
        label = QLabel(title.upper(), self)
        label.setObjectName("sidebarHeading")
        self._sections.addWidget(label)
        self._sections.addWidget(widget, stretch)
        if stretch and not self._stretchy_sections:
            # A growing section (a tag list) takes the free space instead of the trailing stretch.
            self._stretchy_sections = True
            self._layout.setStretchFactor(self._sections, 1)
            self._layout.takeAt(self._layout.count() - 1)

    def set_count(self, key: str, count: int | None) -> None:
        for row in range(self.nav.count()):
            item = self.nav.item(row)
            if item.data(VIEW_KEY_ROLE) == key:
                title = self._titles[key]
                item.setText(title if count is None else f"{title}   {count:,}")

    def select_view(self, key: str) -> None:
        for row in range(self.nav.count()):
            if self.nav.item(row).data(VIEW_KEY_ROLE) == key:
                self.nav.setCurrentRow(row)

    @property
    def current_view(self) -> str:
        item = self.nav.currentItem()
        return str(item.data(VIEW_KEY_ROLE)) if item is not None else ""

    def _on_current(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if current is not None:
            self.view_selected.emit(str(current.data(VIEW_KEY_ROLE)))
