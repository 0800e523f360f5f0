"""Autocomplete for the search box: the word at the cursor completes to a query term (`name:`,
`type:image`, ...) or a tag (namespaced ones too, found by the part after the namespace), most
used first, each with what it is or how many assets carry it.

Tags are looked up on the world thread as one types (`use_cases.tags.autocomplete`, an index
range per keystroke); an answer that comes back after the word changed is dropped. Choosing a
suggestion replaces only the word at the cursor, keeps a leading `-`, and runs the search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QPainter, QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QListView, QStyledItemDelegate, QStyleOptionViewItem

from dam_desktop.ui.tasks import TaskSet

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.ui.window.search_box import SearchBox
    from dam_desktop.ui.world_client import WorldClient

DETAIL_ROLE = Qt.ItemDataRole.UserRole + 1
INSERT_ROLE = Qt.ItemDataRole.UserRole + 2
MAX_TAGS = 10
# A word ends at a space or a bracket; `-` in front negates it and stays when it is completed.
_WORD_START = re.compile(r"[\s()|]")

# The query terms offered as one types (registry as data): the text inserted and what it finds.
TERM_SUGGESTIONS: tuple[tuple[str, str], ...] = (
    ("name:", "file name; * and ? as wildcards, e.g. name:IMG_2*"),
    ("path:", "a folder the file is in, or a path prefix"),
    ("ext:", "file extension, e.g. ext:png"),
    ("type:image", "images"),
    ("type:audio", "sounds"),
    ("type:video", "videos"),
    ("artist:", "a sound's artist tag"),
    ("bpm:>", "faster than, in beats per minute"),
    ("width:>", "wider than, in pixels"),
    ("height:>", "taller than, in pixels"),
    ("duration:>", "longer than, in seconds"),
    ("size:>", "larger than, e.g. size:>2mb"),
    ("added:", "added on or since a date, e.g. added:>2026-03"),
    ("untagged", "assets with no tags"),
    ("has:missing-file", "files the last check could not find"),
)


@dataclass(frozen=True)
class Suggestion:
    text: str  # what the list shows
    insert: str  # what replaces the word
    detail: str  # right-aligned: a use count or what the term does


def word_at(text: str, cursor: int) -> tuple[int, str]:
    """The start and text of the word being typed at `cursor` (without a leading `-`)."""
    start = cursor
    while start > 0 and not _WORD_START.match(text[start - 1]):
        start -= 1
    if start < cursor and text[start] == "-":
        start += 1
    return start, text[start:cursor]


def term_suggestions(word: str) -> list[Suggestion]:
    lowered = word.lower()
    return [
        Suggestion(term, term, about)
        for term, about in TERM_SUGGESTIONS
        if term.startswith(lowered) and term != lowered
    ]


def tag_suggestions(word: str, tags: list[tuple[str, str | None, int]]) -> list[Suggestion]:
    """Tags (name, namespace, use count) as suggestions, with each namespace the word starts."""
    # Imported here: the tag sidebar loads the query compiler (SQLAlchemy), which the window's
    # first paint does not wait for.
    from dam_desktop.ui.tags.tag_sidebar import term_for_tag

    found: list[Suggestion] = []
    lowered = word.lower()
    namespaces: dict[str, int] = {}
    for name, namespace, count in tags:
        if namespace and namespace.lower().startswith(lowered) and ":" not in lowered:
            namespaces[namespace] = namespaces.get(namespace, 0) + 1
        found.append(Suggestion(name, term_for_tag(name), f"{count:,}"))
    spaces = [
        Suggestion(f"{ns}:", f"{ns}:", f"{n} tag{'s' if n != 1 else ''}") for ns, n in namespaces.items()
    ]
    return spaces + found


class _DetailDelegate(QStyledItemDelegate):
    """Paints the suggestion's detail right-aligned and dimmed."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        detail = index.data(DETAIL_ROLE)
        if detail:
            painter.save()
            painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                option.rect.adjusted(0, 0, -8, 0),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                str(detail),
            )
            painter.restore()


class SearchCompleter(QObject):
    inserted = Signal()  # a suggestion was chosen and put in the box
    shown = Signal()  # suggestions for the word at the cursor are in the list

    def __init__(self, box: SearchBox, client: WorldClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.box = box
        self.client = client
        self.enabled = True  # off while the box takes sentences (the ≈ mode)
        self.tasks = TaskSet()
        self.model = QStandardItemModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setWidget(box)
        self.completer.setMaxVisibleItems(12)
        self.popup = QListView()
        self.popup.setObjectName("searchCompletions")
        self.completer.setPopup(self.popup)
        # After setPopup, which puts its own delegate on the list.
        self.popup.setItemDelegate(_DetailDelegate(self.popup))
        self.completer.activated.connect(self._chosen_text)
        self._word = ""
        box.textEdited.connect(self.on_edited)

    def suggestions(self) -> list[str]:
        """The texts the list offers now, top to bottom."""
        return [self.model.item(row).text() for row in range(self.model.rowCount())]

    def on_edited(self, text: str) -> None:
        _start, word = word_at(text, self.box.cursorPosition())
        self._word = word
        if not self.enabled or not word or word.startswith('"'):
            self.popup.hide()
            return
        self.tasks.spawn(self._suggest(word))

    async def _suggest(self, word: str) -> None:
        value = word

        async def tags(world: World) -> list[tuple[str, str | None, int]]:
            from dam_desktop.use_cases.tags import autocomplete

            return [(t.name, t.namespace, t.use_count) for t in await autocomplete(world, value, MAX_TAGS)]

        found = term_suggestions(word) + tag_suggestions(word, await self.client.call(tags))
        if word != self._word or not self.enabled:
            return  # typing went on; the newer word's answer is on its way
        self.model.clear()
        for suggestion in found:
            item = QStandardItem(suggestion.text)
            item.setData(suggestion.detail, DETAIL_ROLE)
            item.setData(suggestion.insert, INSERT_ROLE)
            item.setEditable(False)
            self.model.appendRow(item)
        popup = self.popup
        if not found:
            popup.hide()
            return
        rect = self.box.rect()
        rect.setWidth(max(320, rect.width() // 2))
        self.completer.complete(rect)
        popup.setCurrentIndex(QModelIndex())
        self.shown.emit()

    def choose(self, row: int) -> None:
        """Put the `row`th suggestion in the box, as a click or Enter on it does."""
        self._chosen(self.model.index(row, 0))

    def _chosen_text(self, text: str) -> None:
        found = self.model.findItems(text)
        if found:
            self._chosen(found[0].index())

    def _chosen(self, index: QModelIndex) -> None:
        insert = str(index.data(INSERT_ROLE) or "")
        if not insert:
            return
        text, cursor = self.box.text(), self.box.cursorPosition()
        start, _word = word_at(text, cursor)
        tail = text[cursor:]
        # A term that wants its value (`name:`) keeps the cursor after it, with no space.
        spacer = "" if insert.endswith((":", ">")) or tail.startswith(" ") else " "
        self.box.setText(text[:start] + insert + spacer + tail)
        self.box.setCursorPosition(start + len(insert) + len(spacer))
        self.popup.hide()
        if not insert.endswith((":", ">")):
            self.inserted.emit()
