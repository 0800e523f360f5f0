"""Recent searches: the last few queries and sentences run in a library, newest first, kept in the
user's settings (per library) and offered in the search box's drop-down."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu, QWidget

from dam_desktop.ui.settings_lists import per_library_key, string_list

MAX_RECENT = 12
SENTENCE_MARK = "≈ "  # how a sentence (the ≈ mode) is marked in the menu and in the settings


@dataclass(frozen=True)
class RecentSearch:
    text: str
    sentence: bool = False  # a ≈ sentence rather than a tag query

    @property
    def label(self) -> str:
        return (SENTENCE_MARK if self.sentence else "") + self.text


class RecentSearches:
    def __init__(self, settings: QSettings, library: str) -> None:
        self.settings = settings
        self.library = library

    @functools.cached_property
    def key(self) -> str:
        return per_library_key("search/recent_{}", self.library)

    def items(self) -> list[RecentSearch]:
        entries = string_list(self.settings, self.key)
        return [
            RecentSearch(e[len(SENTENCE_MARK) :], True) if e.startswith(SENTENCE_MARK) else RecentSearch(e)
            for e in entries
            if e
        ]

    def add(self, search: RecentSearch) -> None:
        kept = [search] + [s for s in self.items() if s != search]
        self.settings.setValue(self.key, [s.label for s in kept[:MAX_RECENT]])

    def clear(self) -> None:
        self.settings.remove(self.key)

    def menu(self, parent: QWidget, run: Callable[[RecentSearch], None]) -> QMenu:
        menu = QMenu(parent)
        menu.setObjectName("recentSearchesMenu")
        items = self.items()
        heading = menu.addAction("Recent searches" if items else "No recent searches")
        heading.setEnabled(False)
        for search in items:
            action = menu.addAction(search.label)
            action.setToolTip("A sentence, searched by meaning" if search.sentence else "A tag query")
            action.triggered.connect(lambda _checked=False, s=search: run(s))
        if items:
            menu.addSeparator()
            menu.addAction("Clear Recent Searches").triggered.connect(self.clear)
        return menu
