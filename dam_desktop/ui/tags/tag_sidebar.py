"""The tag sidebar: tags with counts for the current result, and saved searches.

Click a tag to narrow the current query to it; Ctrl-click to exclude it. Click a saved search to
run it; "Save…" keeps the current query under a name in the library; right-click (or F2, Delete,
dragging) renames, deletes and reorders saved searches, undoably (`saved_searches.py`).
The widget never changes the grid itself: it emits `queryRequested(text)` and the window
applies it (and then calls `refresh(query)` with the query it shows, so the counts follow the
result). When the world says tags, saved searches or the set of assets changed, it reads its
counts again by itself.
"""

from __future__ import annotations

import re
from dataclasses import replace

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QPainter, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from dam_desktop.core.events import WorldChanged
from dam_desktop.services.search.search_service import SavedSearch, TagCount
from dam_desktop.services.search.tag_query.to_sql import TERM_HANDLERS
from dam_desktop.ui.changes import ChangeFollower
from dam_desktop.ui.tags.saved_searches import SavedSearchEdits
from dam_desktop.ui.tasks import Newest, TaskSet
from dam_desktop.ui.world_client import WorldClient
from dam_desktop.use_cases import search as search_cases

TAG_ROLE = Qt.ItemDataRole.UserRole
COUNT_ROLE = Qt.ItemDataRole.UserRole + 1
COUNT_MARGIN = 6  # pixels between a count and the list's edge, and between name and count
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
    """Paints the tag's name, shortened in the middle when the list is too narrow for it, and its
    count right-aligned and dimmed beside it: a long tag never pushes its count out of view."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        count = str(index.data(COUNT_ROLE) or "")
        shown = QStyleOptionViewItem(option)
        self.initStyleOption(shown, index)
        count_room = shown.fontMetrics.horizontalAdvance(count) + 2 * COUNT_MARGIN if count else 0
        name_room = max(0, shown.rect.width() - count_room - 2 * COUNT_MARGIN)
        shown.text = shown.fontMetrics.elidedText(shown.text, Qt.TextElideMode.ElideMiddle, name_room)
        style = shown.widget.style() if shown.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, shown, painter, shown.widget)
        if count:
            painter.save()
            painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
            rect = option.rect.adjusted(0, 0, -COUNT_MARGIN, 0)
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), count)
            painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        # As wide as the list, whatever the name: the list never scrolls sideways.
        return QSize(1, super().sizeHint(option, index).height())


class TagSidebar(QWidget):
    queryRequested = Signal(str)  # the query the window should show now
    message = Signal(str)  # a one-line note for the status bar (a saved search deleted, a name taken)
    read_failed = Signal(object)  # reading the counts raised this: the lists keep what they showed
    counts_read = Signal()  # the counts were read and shown

    def __init__(
        self, client: WorldClient, parent: QWidget | None = None, *, show_title: bool = True
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.query = ""
        self.counts: list[TagCount] = []
        self.saved: list[SavedSearch] = []
        self.tasks = TaskSet(self)
        self._answers = Newest(self.tasks, self._show_tags)
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
        self.tag_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
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
        # Tests replace these to answer the name prompts.
        self.ask_name = self._ask_name
        self.ask_rename = self._ask_rename
        self.edits: SavedSearchEdits | None = None
        self.saved_menu: QMenu | None = None

    def manage_saved(self, edits: SavedSearchEdits) -> None:
        """Let the saved searches be renamed, reordered (drag or menu) and deleted, via `edits`."""
        self.edits = edits
        edits.reordered = self._show_saved
        edits.renamed = self._renamed
        edits.failed = self.message.emit
        saved = self.saved_list
        saved.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        saved.setDefaultDropAction(Qt.DropAction.MoveAction)
        saved.model().rowsMoved.connect(lambda *_: self._dragged())
        saved.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        saved.customContextMenuRequested.connect(self._saved_menu)
        for keys, slot in (
            (QKeySequence(Qt.Key.Key_F2), self.rename_current),
            (QKeySequence(QKeySequence.StandardKey.Delete), self.delete_current),
        ):
            shortcut = QShortcut(keys, saved)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)

    async def refresh(self, query: str, limit: int = 60) -> None:
        """Show the tags of `query`'s result with their counts, and the saved searches. A read
        that fails leaves the lists as they were and is told (`read_failed`), not raised: most
        refreshes run in tasks nobody awaits (a change event's)."""
        self.query = query
        try:
            shown = await self._answers.ask(
                self.client.call(lambda world: search_cases.sidebar_tags(world, query, limit))
            )
        except Exception as exc:
            self.read_failed.emit(exc)
            return
        if shown:
            self.counts_read.emit()

    def _show_tags(self, found: search_cases.SidebarTags) -> None:
        self.counts = found.counts
        self.saved = self.edits.order.arrange(found.saved) if self.edits is not None else found.saved
        self.tag_list.clear()
        for entry in found.counts:
            mark = "" if entry.exact else "~"
            item = QListWidgetItem(entry.name)
            item.setData(TAG_ROLE, entry.name)
            item.setData(COUNT_ROLE, f"{mark}{entry.count:,}")
            item.setToolTip(
                f"{entry.count:,} of the {'' if entry.exact else 'newest '}results carry '{entry.name}'"
            )
            self.tag_list.addItem(item)
        self._show_saved()

    def _show_saved(self) -> None:
        if self.edits is not None:
            self.saved = self.edits.order.arrange(self.saved)
        # The current item stays current across the rebuild (by name, or by place after a rename).
        current, row = self._current_name(), self.saved_list.currentRow()
        self.saved_list.clear()
        for s in self.saved:
            item = QListWidgetItem(s.name)
            item.setData(TAG_ROLE, s.query)
            item.setToolTip(s.query)
            self.saved_list.addItem(item)
            if s.name == current:
                self.saved_list.setCurrentItem(item)
        if current is not None and self._current_name() != current and 0 <= row < self.saved_list.count():
            self.saved_list.setCurrentRow(row)

    def _renamed(self, old: str, new: str) -> None:
        self.saved = [replace(s, name=new) if s.name == old else s for s in self.saved]
        for row in range(self.saved_list.count()):
            if (item := self.saved_list.item(row)).text() == old:
                item.setText(new)

    def settled(self) -> bool:
        """True when no change is waiting to be shown and no refresh is on its way."""
        return not self.change_follower.waiting() and len(self.tasks) == 0

    def saved_names(self) -> list[str]:
        """The saved searches as listed, top to bottom."""
        return [self.saved_list.item(row).text() for row in range(self.saved_list.count())]

    # managing saved searches ------------------------------------------------------------------------
    def _current_name(self) -> str | None:
        item = self.saved_list.currentItem()
        return item.text() if item is not None else None

    def rename_current(self) -> None:
        name = self._current_name()
        if name is not None and self.edits is not None:
            new = self.ask_rename(name)
            taken = {s.name for s in self.saved} - {name}
            if new and " ".join(new.split()) in taken:
                self.message.emit(f"There is already a saved search named “{' '.join(new.split())}”")
            elif new and " ".join(new.split()) != name:
                self.edits.rename(self.saved, name, new)

    def delete_current(self) -> None:
        name = self._current_name()
        if name is not None and self.edits is not None:
            self.edits.delete(self.saved, name)
            self.message.emit(f"Deleted the saved search “{name}” (Edit › Undo brings it back)")

    def move_current(self, step: int) -> None:
        name = self._current_name()
        if name is None or self.edits is None:
            return
        names = [s.name for s in self.saved]
        row = names.index(name)
        target = max(0, min(len(names) - 1, row + step))
        names.insert(target, names.pop(row))
        self.edits.move(self.saved, names)
        self.saved_list.setCurrentRow(target)

    def _dragged(self) -> None:
        if self.edits is not None:
            self.edits.move(self.saved, self.saved_names())

    def _saved_menu(self, pos: QPoint) -> None:
        item = self.saved_list.itemAt(pos)
        if item is None:
            return
        self.saved_list.setCurrentItem(item)
        row = self.saved_list.row(item)
        menu = QMenu(self)
        menu.setObjectName("savedSearchMenu")
        menu.addAction("Run").triggered.connect(lambda: self._saved_clicked(item))
        menu.addSeparator()
        menu.addAction("Rename…").triggered.connect(self.rename_current)
        up, down = menu.addAction("Move Up"), menu.addAction("Move Down")
        up.setEnabled(row > 0)
        down.setEnabled(row < self.saved_list.count() - 1)
        up.triggered.connect(lambda: self.move_current(-1))
        down.triggered.connect(lambda: self.move_current(1))
        menu.addSeparator()
        menu.addAction("Delete").triggered.connect(self.delete_current)
        self.saved_menu = menu
        menu.popup(self.saved_list.viewport().mapToGlobal(pos))

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

    def _ask_rename(self, name: str) -> str | None:
        new, ok = QInputDialog.getText(self, "Rename saved search", "New name:", text=name)
        return new if ok and new.strip() else None

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
