"""Semantic search in the window: the search box's "meaning" mode, ranked results with their
scores, "Find similar" and narrowing by a tag query. Embeddings are computed by the background
pipeline (`ui/jobs/background_work.py`), with no button.

`install_semantic_search(window)` adds it all to a `MainWindow` without the window knowing:
a toggle in the search box (tag query ⇄ sentence), a "Semantic Search" view in the sidebar, and
the panel the "Find Similar" context-menu action (`ui/window/actions/semantic.py`) fills. Searches run
on the world thread; the GUI thread only fills the table and decodes small thumbnails off-thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dam_desktop.core.world import World
from dam_desktop.ui.image_decode import decode_thumbnails
from dam_desktop.ui.tasks import TaskSet
from dam_desktop.ui.window import context_menu
from dam_desktop.ui.window.context_menu import LIBRARY_VIEW, AssetAction, Selection
from dam_desktop.ui.world_client import WorldClient
from dam_desktop.use_cases.library import thumbnail_paths
from dam_desktop.use_cases.search import search_by_sentence
from dam_desktop.use_cases.similarity import find_similar

if TYPE_CHECKING:
    from dam_desktop.services.semantic.semantic_search import SemanticResults
    from dam_desktop.ui.window.main_window import MainWindow

SEMANTIC_VIEW = "semantic"
THUMB = 56
LIMIT = 100
COLUMNS = ("Asset", "Type", "Score", "Model")


def _glyph_icon(text: str) -> QIcon:
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("#9aa3b2"))
    font = QFont()
    font.setPixelSize(24)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return QIcon(pixmap)


@dataclass(frozen=True)
class Request:
    """What the panel shows: a sentence, or the assets like one asset."""

    sentence: str | None = None
    similar_to: int | None = None
    similar_name: str = ""

    @property
    def title(self) -> str:
        if self.similar_to is not None:
            return f"Similar to {self.similar_name or self.similar_to}"
        return f"Matching “{self.sentence}”"


async def run_request(world: World, request: Request, where: str) -> SemanticResults:
    """On the world thread: the semantic search, narrowed by the tag query `where` if given."""
    if request.similar_to is not None:
        return await find_similar(world, request.similar_to, where=where, limit=LIMIT)
    return await search_by_sentence(world, request.sentence or "", where=where, limit=LIMIT)


class SemanticPanel(QWidget):
    """Ranked results with scores; the filter box narrows them by a tag query."""

    results_shown = Signal()

    def __init__(self, client: WorldClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = TaskSet()
        self.setObjectName("semanticPanel")
        self.client = client
        self.request: Request | None = None
        self.results: SemanticResults | None = None
        self.title = QLabel(
            "Type a sentence in the search box with “≈” on, or right-click an image or sound", self
        )
        self.title.setObjectName("semanticTitle")
        self.title.setWordWrap(True)
        self.notes = QLabel("", self)
        self.notes.setObjectName("dimLabel")
        self.notes.setWordWrap(True)
        self.filter_box = QLineEdit(self)
        self.filter_box.setObjectName("semanticFilter")
        self.filter_box.setPlaceholderText("Narrow by tag query, e.g.  type:audio -draft")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.returnPressed.connect(lambda: self.tasks.spawn(self.refresh()))
        top = QHBoxLayout()
        top.addWidget(self.filter_box, 1)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("semanticResults")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setIconSize(QSize(THUMB, THUMB))
        self.table.verticalHeader().setDefaultSectionSize(THUMB + 6)
        self.table.verticalHeader().setVisible(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(self.notes)
        layout.addWidget(self.table, 1)

    async def show_request(self, request: Request) -> None:
        self.request = request
        await self.refresh()

    async def refresh(self) -> None:
        request = self.request
        if request is None:
            return
        where = self.filter_box.text()
        self.title.setText(request.title + " …")
        try:
            results = await self.client.call(lambda world: run_request(world, request, where))
        except Exception as exc:
            self.title.setText(request.title)
            self.notes.setText(getattr(exc, "user_message", None) or f"{type(exc).__name__}: {exc}")
            self.table.setRowCount(0)
            return
        if request is not self.request:
            return
        self.results = results
        self.title.setText(
            f"{request.title} — {len(results.hits)} result{'s' if len(results.hits) != 1 else ''}"
        )
        self.notes.setText("\n".join(results.notes))
        self._fill(results)
        self.results_shown.emit()
        ids = [h.entity_id for h in results.hits]
        paths = await self.client.call(lambda world: thumbnail_paths(world, ids))
        images = await asyncio.to_thread(decode_thumbnails, paths, THUMB)
        if self.results is results:
            for row, hit in enumerate(results.hits):
                if hit.entity_id in images:
                    item = self.table.item(row, 0)
                    if item is not None:
                        item.setIcon(QIcon(QPixmap.fromImage(images[hit.entity_id])))

    def _fill(self, results: SemanticResults) -> None:
        self.table.setRowCount(len(results.hits))
        for row, hit in enumerate(results.hits):
            name = QTableWidgetItem(f"{hit.filename}\n#{hit.entity_id}")
            name.setData(Qt.ItemDataRole.UserRole, hit.entity_id)
            score = QTableWidgetItem(f"{hit.score:.3f}")
            score.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for column, item in enumerate(
                (name, QTableWidgetItem(hit.asset_type), score, QTableWidgetItem(hit.model))
            ):
                self.table.setItem(row, column, item)

    def selected_result_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        ids = []
        for row in rows:
            item = self.table.item(row, 0)
            if item is not None:
                ids.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return ids

    def rows(self) -> list[tuple[int, str, float]]:
        """(entity id, file name, score) of the rows shown, top to bottom."""
        if self.results is None:
            return []
        return [(h.entity_id, h.filename, h.score) for h in self.results.hits]


class SemanticSearch(QObject):
    """The window's semantic search: mode toggle, view, panel."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.tasks = TaskSet()
        self.window = window
        self.panel = SemanticPanel(window.client, window)
        window.add_view(SEMANTIC_VIEW, "Semantic Search", self.panel, _glyph_icon("≈"))
        self.toggle = QAction(_glyph_icon("≈"), "Search by meaning", window.search_box)
        self.toggle.setObjectName("semanticToggle")
        self.toggle.setCheckable(True)
        self.toggle.setToolTip("Search by meaning: type a sentence instead of a tag query")
        self.toggle.toggled.connect(self._on_toggled)
        from dam_desktop.features import model_features_available

        # Without the model packages (lite) the panel still shows "Find Similar" for sounds, but a
        # sentence cannot be searched: no toggle to offer it.
        if model_features_available():
            window.search_box.addAction(self.toggle, QLineEdit.ActionPosition.TrailingPosition)
        self._tag_placeholder = window.search_box.placeholderText()
        # Results have the grid's context menu (Find Similar again, Open, Show in File Manager…).
        self.panel.table.customContextMenuRequested.connect(
            lambda pos: self.tasks.spawn(self._result_menu(self.panel.table.viewport().mapToGlobal(pos)))
        )
        self.panel.table.doubleClicked.connect(
            lambda _index: self.tasks.spawn(self._run_on_results("open-default"))
        )
        # The box's own handler (a tag query) stays in charge unless the toggle is on.
        self._tag_search: Callable[[str], Awaitable[None]] = window.apply_search
        window.apply_search = self.apply_search  # type: ignore[method-assign]

    @property
    def semantic_mode(self) -> bool:
        return self.toggle.isChecked()

    def set_semantic_mode(self, on: bool) -> None:
        self.toggle.setChecked(on)

    def _on_toggled(self, on: bool) -> None:
        box = self.window.search_box
        box.setPlaceholderText(
            "Describe it, e.g.  rain on a window at night" if on else self._tag_placeholder
        )
        self.toggle.setToolTip("Searching by meaning (click for tag queries)" if on else "Search by meaning")

    async def apply_search(self, text: str) -> None:
        if not self.semantic_mode:
            await self._tag_search(text)
            return
        if not text.strip():
            return
        await self.show(Request(sentence=text.strip()))

    async def find_similar(self, entity_id: int, filename: str) -> None:
        await self.show(Request(similar_to=entity_id, similar_name=filename))

    async def show(self, request: Request) -> None:
        self.window.sidebar.select_view(SEMANTIC_VIEW)
        await self.panel.show_request(request)

    async def result_selection(self) -> Selection:
        ids = self.panel.selected_result_ids()
        infos = await self.window.model.fetch_infos(ids)
        return Selection(ids, [infos[i] for i in ids if i in infos], LIBRARY_VIEW)

    async def _result_menu(self, global_pos: Any) -> None:
        selection = await self.result_selection()
        if not len(selection):
            return

        def trigger(action: AssetAction) -> None:
            self.tasks.spawn(self.window.run_action(action, selection))

        menu = context_menu.build_menu(self.panel, selection, trigger)
        self.last_menu = menu
        menu.popup(global_pos)

    async def _run_on_results(self, key: str) -> None:
        selection = await self.result_selection()
        for action in context_menu.registered_actions():
            if action.key == key:
                await self.window.run_action(action, selection)


def install_semantic_search(window: MainWindow) -> SemanticSearch:
    existing = getattr(window, "semantic_search", None)
    if isinstance(existing, SemanticSearch):
        return existing
    controller = SemanticSearch(window)
    window.semantic_search = controller  # type: ignore[attr-defined]
    return controller


def semantic_search_of(window: QWidget) -> SemanticSearch | None:
    controller = getattr(window, "semantic_search", None)
    return controller if isinstance(controller, SemanticSearch) else None
