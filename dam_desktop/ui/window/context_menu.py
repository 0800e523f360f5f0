"""The grid's context menu, built from a registry of actions.

An action says when it applies (`applies_to(selection)`) and what it does; the menu shows exactly
the actions that apply, grouped and ordered. Actions live in modules of `dam_desktop.ui.window.actions`,
each exporting `ACTIONS: list[AssetAction]`; adding an entry ("Find similar", "Review model
tags") is adding a module there, with no edit to this file or the window.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMenu, QStyle, QWidget

from dam_desktop.services.browse.browse_sql import TileInfo

if TYPE_CHECKING:
    from dam_desktop.ui.jobs.jobs import Job
    from dam_desktop.ui.world_client import WorldClient
    from dam_desktop.use_cases.result_scope import ResultScope

LIBRARY_VIEW = "library"
TRASH_VIEW = "trash"


@dataclass(frozen=True)
class Selection:
    """The assets an action runs on, with what the grid already knows about them."""

    entity_ids: list[int]
    infos: list[TileInfo]
    view: str = LIBRARY_VIEW  # which sidebar view the grid shows: "library", "trash", ...
    # The whole search result, when the selection is all of it past the ids listed here: an
    # action that can work on the query (export) works on it instead of on `entity_ids`.
    scope: ResultScope | None = None

    def __len__(self) -> int:
        return len(self.entity_ids)

    @property
    def asset_types(self) -> set[str]:
        return {info.asset_type for info in self.infos}

    @property
    def single(self) -> TileInfo | None:
        return self.infos[0] if len(self.entity_ids) == 1 and self.infos else None


@dataclass
class ActionContext:
    """What an action may use: the window (as dialog parent), the world, and a few window verbs."""

    window: QWidget
    client: WorldClient
    confirm: Callable[[str, str], bool]
    reload: Callable[[], Awaitable[None]]
    show_message: Callable[[str], None]
    show_result: Callable[[str, object], Awaitable[None]] | None = None
    undo_stack: QUndoStack | None = None  # removal and restore go on it (Edit › Undo)
    add_job: Callable[[Job], None] | None = None  # long work shows in the status bar's job list


@dataclass(frozen=True)
class AssetAction:
    key: str
    text: str
    run: Callable[[ActionContext, Selection], Awaitable[None]]
    applies_to: Callable[[Selection], bool] = field(default=lambda selection: len(selection) > 0)
    group: int = 50  # menu sections, separated: 10 open, 20 files, 50 other rooms, 90 remove
    order: int = 50
    icon: QStyle.StandardPixmap | None = None
    shortcut: str | None = None


def in_library(selection: Selection) -> bool:
    return len(selection) > 0 and selection.view != TRASH_VIEW


def in_trash(selection: Selection) -> bool:
    return len(selection) > 0 and selection.view == TRASH_VIEW


@cache
def registered_actions() -> tuple[AssetAction, ...]:
    from dam_desktop.ui.window import actions as package

    found: list[AssetAction] = []
    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        found.extend(getattr(module, "ACTIONS", []))
    return tuple(sorted(found, key=lambda action: (action.group, action.order, action.key)))


def applicable(selection: Selection, actions: tuple[AssetAction, ...] | None = None) -> list[AssetAction]:
    return [action for action in (actions or registered_actions()) if action.applies_to(selection)]


def build_menu(
    parent: QWidget,
    selection: Selection,
    trigger: Callable[[AssetAction], None],
    actions: tuple[AssetAction, ...] | None = None,
) -> QMenu:
    menu = QMenu(parent)
    group: int | None = None
    for action in applicable(selection, actions):
        if group is not None and action.group != group:
            menu.addSeparator()
        group = action.group
        entry = QAction(action.text, menu)
        entry.setObjectName(action.key)
        if action.icon is not None:
            entry.setIcon(parent.style().standardIcon(action.icon))
        if action.shortcut:
            entry.setShortcut(QKeySequence(action.shortcut))
        entry.triggered.connect(lambda _checked=False, chosen=action: trigger(chosen))
        menu.addAction(entry)
    return menu
