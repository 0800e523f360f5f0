"""The tag sidebar: tags with counts for the current result, and saved searches.

Click a tag to narrow the current query to it; Ctrl-click to exclude it. Click a saved search to
run it; "Save…" keeps the current query under a name in the library. The widget never changes
the grid itself: it emits `queryRequested(text)` and the window applies it (and then calls
`refresh(query)` with the query it shows, so the counts follow the result). When the world says
tags, saved searches or the set of assets changed, it reads its counts again by itself.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from dam_desktop.core.events import WorldChanged
from dam_desktop.services.search.search_service import SavedSearch, TagCount
from dam_desktop.services.search.tag_query.to_sql import TERM_HANDLERS
from dam_desktop.ui.changes import ChangeFollower
from dam_desktop.ui.tasks import TaskSet
from dam_desktop.ui.world_client import WorldClient
from dam_desktop.use_cases import search as search_cases

TAG_ROLE = Qt.ItemDataRole.UserRole
COUNT_ROLE = Qt.ItemDataRole.UserRole + 1
# Changes after which the counts or the saved searches may read differently.
SIDEBAR_COMPONENTS = frozenset({"tags", "trash", search_cases.SAVED_SEARCHES})
_PLAIN = re.compile(r"^[^\s()|\"*:-][^\s()|\"*]*$")


def term_for_tag(name: str) -> str:
    """The query term that finds exactly this tag (quoted when it needs to be: spaces, operators,
    or a name that a registered term would take, like `type:image` or `untagged`)."""
    key, colon, value = name.partition(":")
    registered = (
        f"{key}:" in TERM_HANDLERS or f"{key}:{value}" in TERM_HANDLERS if colon else name in TERM_HANDLERS
    )
    if _PLAIN.match(name) and not registered:
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def narrowed(query: str, tag_name: str, exclude: bool) -> str:
    """`query` with the tag (or its negation) added, parenthesising a query that has a top-level |."""
    term = ("-" if exclude else "") + term_for_tag(tag_name)
    base = query.strip()
    if not base:
        return term
    if "|" in base:
        base = f"({base})"
    return f"{base} {term}"


class _CountDelegate(QStyledItemDelegate):
    """Paints the item's count right-aligned and dimmed beside the tag name."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        count = index.data(COUNT_ROLE)
        if count:
            painter.save()
            painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
            rect = option.rect.adjusted(0, 0, -6, 0)
            painter.drawText(
                rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), str(count)
            )
            painter.restore()


class TagSidebar(QWidget):
    queryRequested = Signal(str)  # the query the window should show now

    def __init__(
        self, client: WorldClient, parent: QWidget | None = None, *, show_title: bool = True
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.query = ""
        self.counts: list[TagCount] = []
        self.saved: list[SavedSearch] = []
        self.tasks = TaskSet()
        self.change_follower = ChangeFollower(
            client, self._follows, lambda _change: self.tasks.spawn(self.refresh(self.query)), self
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Tags", self)
        title.setObjectName("sectionTitle")
        self.hint = QLabel("Click to filter · Ctrl-click to exclude", self)
        self.hint.setObjectName("dimLabel")
        self.tag_list = QListWidget(self)
        self.tag_list.setObjectName("tagCounts")
        self.tag_list.setItemDelegate(_CountDelegate(self.tag_list))
        self.tag_list.itemClicked.connect(self._tag_clicked)
        saved_row = QHBoxLayout()
        saved_title = QLabel("Saved searches", self)
        saved_title.setObjectName("sectionTitle")
        self.save_button = QPushButton("Save…", self)
        self.save_button.setToolTip("Keep the current search under a name")
        self.save_button.clicked.connect(self._ask_and_save)
        saved_row.addWidget(saved_title, 1)
        saved_row.addWidget(self.save_button)
        self.saved_list = QListWidget(self)
        self.saved_list.setObjectName("savedSearches")
        self.saved_list.itemClicked.connect(self._saved_clicked)
        if show_title:
            layout.addWidget(title)
        else:
            title.hide()
        layout.addWidget(self.hint)
        layout.addWidget(self.tag_list, 3)
        layout.addLayout(saved_row)
        layout.addWidget(self.saved_list, 1)
        # Tests replace this to answer the name prompt.
        self.ask_name = self._ask_name

    async def refresh(self, query: str, limit: int = 60) -> None:
        """Show the tags of `query`'s result with their counts, and the saved searches."""
        self.query = query

        found = await self.client.call(lambda world: search_cases.sidebar_tags(world, query, limit))
        counts, saved = found.counts, found.saved
        if query != self.query:
            return
        self.counts, self.saved = counts, saved
        self.tag_list.clear()
        for entry in counts:
            mark = "" if entry.exact else "~"
            item = QListWidgetItem(entry.name)
            item.setData(TAG_ROLE, entry.name)
            item.setData(COUNT_ROLE, f"{mark}{entry.count:,}")
            item.setToolTip(
                f"{entry.count:,} of the {'' if entry.exact else 'newest '}results carry '{entry.name}'"
            )
            self.tag_list.addItem(item)
        self.saved_list.clear()
        for s in saved:
            item = QListWidgetItem(s.name)
            item.setData(TAG_ROLE, s.query)
            item.setToolTip(s.query)
            self.saved_list.addItem(item)

    def click_tag(self, name: str, exclude: bool = False) -> str:
        """What a click on the tag does (Ctrl: exclude); returns and emits the new query."""
        new_query = narrowed(self.query, name, exclude)
        self.queryRequested.emit(new_query)
        return new_query

    def _tag_clicked(self, item: QListWidgetItem) -> None:
        exclude = bool(QApplication.keyboardModifiers() & Qt.KeyboardModifier.ControlModifier)
        self.click_tag(str(item.data(TAG_ROLE)), exclude)

    def _saved_clicked(self, item: QListWidgetItem) -> None:
        self.queryRequested.emit(str(item.data(TAG_ROLE)))

    def _ask_name(self) -> str | None:
        name, ok = QInputDialog.getText(self, "Save search", f"Name for “{self.query}”:")
        return name if ok and name.strip() else None

    def _ask_and_save(self) -> None:
        name = self.ask_name()
        if name:
            self.tasks.spawn(self.save_current(name))

    async def save_current(self, name: str) -> None:
        """Keep the current query under `name`; the list follows from the change event."""
        query = self.query
        await self.client.call(lambda world: search_cases.save_search(world, name, query))

    async def delete_saved(self, name: str) -> None:
        await self.client.call(lambda world: search_cases.delete_saved_search(world, name))

    def _follows(self, change: WorldChanged) -> bool:
        return (
            change.added
            or change.removed
            or change.everything
            or bool(change.components & SIDEBAR_COMPONENTS)
        )
