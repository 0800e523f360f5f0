"""Semantic search in the window: the search box's ≈ mode (a sentence instead of a tag query) and
"Find similar", both shown in the main grid, ranked, with a score on each tile.

`install_semantic_search(window)` adds the ≈ toggle to the search box without the window knowing.
The toggle shows its state: a plain grey ≈ when off, a white ≈ on the accent colour when on, with
the box's placeholder and tooltip saying which language it takes. Results are the window's ranked
result (`window.ranked_flow.show`), so the inspector, preview, playback, tagging, drag-out and the
context menu work on them as on any tile. A tag query narrowing them shows as a chip in the header.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import QLineEdit, QWidget

from dam_desktop.ui.semantic.requests import Request
from dam_desktop.ui.window.results import RankedResult

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow

SENTENCE_PLACEHOLDER = "Describe it, e.g.  rain on a window at night   (≈ on: searching by meaning)"
ACCENT = "#3d8bfd"


def toggle_icon(on: bool) -> QIcon:
    """≈ in grey (off), or white on a filled accent disc (on): the state reads at a glance."""
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if on:
        disc = QPainterPath()
        disc.addRoundedRect(QRectF(1, 3, 30, 26), 8, 8)
        painter.fillPath(disc, QColor(ACCENT))
    painter.setPen(QColor("white" if on else "#9aa3b2"))
    font = QFont()
    font.setPixelSize(24)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, "≈")
    painter.end()
    return QIcon(pixmap)


class SemanticSearch(QObject):
    """The ≈ toggle, sentence searches and "Find similar", as ranked results in the grid."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.toggle = QAction(toggle_icon(False), "Search by meaning", window.search_box)
        self.toggle.setObjectName("semanticToggle")
        self.toggle.setCheckable(True)
        self.toggle.toggled.connect(self._on_toggled)
        from dam_desktop.features import model_features_available

        # Without the model packages (lite) "Find Similar" still works for sounds, but a sentence
        # cannot be searched: no toggle to offer it.
        if model_features_available():
            window.search_box.addAction(self.toggle, QLineEdit.ActionPosition.TrailingPosition)
        self._tag_placeholder = window.search_box.placeholderText()
        self._show_toggle_state(False)
        window.controls.switch_sentence_mode = self.set_semantic_mode
        # The box's own handler (a tag query) stays in charge unless the toggle is on.
        self._tag_search: Callable[[str], Coroutine[Any, Any, None]] = window.apply_search
        window.apply_search = self.apply_search  # type: ignore[method-assign]

    @property
    def semantic_mode(self) -> bool:
        return self.toggle.isChecked()

    def set_semantic_mode(self, on: bool) -> None:
        self.toggle.setChecked(on)

    def _show_toggle_state(self, on: bool) -> None:
        box = self.window.search_box
        self.toggle.setIcon(toggle_icon(on))
        self.toggle.setToolTip(
            "≈ on: the box takes a sentence and ranks by meaning. Click for tag queries."
            if on
            else "≈ off: the box takes names and tag queries. Click to search by meaning."
        )
        box.setPlaceholderText(SENTENCE_PLACEHOLDER if on else self._tag_placeholder)
        box.setProperty("sentence", on)
        box.style().unpolish(box)
        box.style().polish(box)
        self.window.controls.sentence_mode = on
        self.window.controls.completer.enabled = not on

    def _on_toggled(self, on: bool) -> None:
        """The same words are searched again in the other language, so the grid matches the box."""
        self._show_toggle_state(on)
        self.window.controls.search_now()

    async def apply_search(self, text: str) -> None:
        if not self.semantic_mode:
            await self._tag_search(text)
            return
        sentence = text.strip()
        window = self.window
        if not sentence:
            await self._tag_search("")
            return
        ranked = window.ranked
        if ranked is not None and ranked.sentence == sentence:
            return
        request = Request(sentence=sentence)
        narrowing = ranked.narrowing if ranked is not None else ""
        await window.ranked_flow.show(RankedResult(request.title, request.query, narrowing, sentence))

    async def find_similar(self, entity_id: int, filename: str) -> None:
        """The assets like this one, narrowed by the tag query the grid showed (as a chip)."""
        window = self.window
        if window.ranked is not None:
            narrowing = window.ranked.narrowing
        else:
            narrowing = "" if self.semantic_mode else window.search_text
        request = Request(similar_to=entity_id, similar_name=filename)
        await window.ranked_flow.show(RankedResult(request.title, request.query, narrowing))


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
