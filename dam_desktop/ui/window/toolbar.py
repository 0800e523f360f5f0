"""The window's toolbar: Import, the search box (with autocomplete and recent searches), sort key
and direction, and the tile size."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Qt, QTimer
from PySide6.QtWidgets import QComboBox, QLabel, QSlider, QStyle, QToolBar, QToolButton, QWidget

from dam_desktop.services.search.sorting import SortKey
from dam_desktop.ui.grid.grid_settings import MAX_TILE, MIN_TILE
from dam_desktop.ui.window.recent_searches import RecentSearch, RecentSearches
from dam_desktop.ui.window.search_box import SearchBox

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.window.search_completer import SearchCompleter

SEARCH_DELAY_MS = 250  # typing pauses this long before the search runs
TAG_PLACEHOLDER = "Search names and tags, e.g.  storm  name:IMG_2*  cat -dog  width:>1000"

# How each sort key reads in each direction: (descending, ascending).
DIRECTION_WORDS: dict[SortKey, tuple[str, str]] = {
    SortKey.ADDED: ("newest first", "oldest first"),
    SortKey.NAME: ("Z to A", "A to Z"),
    SortKey.SIZE: ("largest first", "smallest first"),
    SortKey.TYPE: ("Z to A", "A to Z"),
    SortKey.TAKEN: ("newest first", "oldest first"),
    SortKey.DIMENSIONS: ("largest first", "smallest first"),
    SortKey.DURATION: ("longest first", "shortest first"),
    SortKey.RATING: ("most stars first", "fewest stars first"),
}


@dataclass
class Toolbar:
    bar: QToolBar
    import_button: QToolButton
    search_box: SearchBox
    sort_box: QComboBox
    direction_button: QToolButton
    zoom_slider: QSlider

    def show_direction(self, sort: SortKey, descending: bool) -> None:
        shown = DIRECTION_WORDS[sort][0 if descending else 1]
        self.direction_button.setText(("↓ " if descending else "↑ ") + shown)
        self.direction_button.setToolTip(f"Showing {shown}; click to reverse the order")

    def show_query_error(self, error: Exception | None) -> None:
        """Mark the query error where it is in the box (a `QueryError` knows its position)."""
        if error is None:
            self.search_box.show_error(None)
            return
        message = getattr(error, "message", None) or str(error)
        position, length = int(getattr(error, "position", 0)), int(getattr(error, "length", 1))
        self.search_box.show_error(message, position, length)


def _spacer(parent: QWidget, bar: QToolBar) -> None:
    spacer = QWidget(parent)
    spacer.setFixedWidth(12)
    bar.addWidget(spacer)


def _dim_label(text: str, parent: QWidget, bar: QToolBar) -> None:
    label = QLabel(text, parent)
    label.setObjectName("dimLabel")
    bar.addWidget(label)


def build_toolbar(parent: QWidget, sort: SortKey, tile_size: int) -> Toolbar:
    """The widgets, unconnected: the window wires them to what they do."""
    bar = QToolBar("Main", parent)
    bar.setObjectName("mainToolbar")
    bar.setMovable(False)
    bar.setFloatable(False)
    import_button = QToolButton(parent)
    import_button.setText("Import")
    import_button.setIcon(parent.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogNewFolder))
    import_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    import_button.setToolTip("Import files (Ctrl+I)")
    bar.addWidget(import_button)

    search_box = SearchBox(parent)
    search_box.setPlaceholderText(TAG_PLACEHOLDER)
    search_box.setMinimumWidth(420)
    bar.addWidget(search_box)

    _spacer(parent, bar)
    _dim_label("Sort", parent, bar)
    sort_box = QComboBox(parent)
    sort_box.setObjectName("sortBox")
    for key in SortKey:
        sort_box.addItem(key.label, key.value)
    sort_box.setCurrentIndex(list(SortKey).index(sort))
    bar.addWidget(sort_box)
    direction_button = QToolButton(parent)
    direction_button.setObjectName("directionButton")
    bar.addWidget(direction_button)

    _spacer(parent, bar)
    _dim_label("Size", parent, bar)
    zoom_slider = QSlider(Qt.Orientation.Horizontal, parent)
    zoom_slider.setObjectName("zoomSlider")
    zoom_slider.setRange(MIN_TILE, MAX_TILE)
    zoom_slider.setValue(tile_size)
    zoom_slider.setFixedWidth(140)
    zoom_slider.setToolTip("Thumbnail size (Ctrl+wheel over the grid)")
    bar.addWidget(zoom_slider)
    return Toolbar(bar, import_button, search_box, sort_box, direction_button, zoom_slider)


class BrowseControls(QObject):
    """Wires the toolbar to the window: searching as one types (Enter, clearing or a completion at
    once), recent searches, the sort key and direction, and the size slider kept in step with
    Ctrl+wheel zooming over the grid."""

    def __init__(self, window: MainWindow, toolbar: Toolbar) -> None:
        super().__init__(window)
        self.window = window
        self.toolbar = toolbar
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.search_now)
        toolbar.import_button.clicked.connect(window.importer.choose_files)
        box = toolbar.search_box
        # Sentences (the ≈ mode) are recorded as such in the recent searches; ui/semantic says when.
        self.sentence_mode = False
        self.switch_sentence_mode: Callable[[bool], None] | None = None
        self.recent = RecentSearches(window.settings, str(window.client.library_path))
        self._completer: SearchCompleter | None = None
        box.textEdited.connect(self._first_edit)
        box.edited.connect(self._on_edited)
        box.returnPressed.connect(lambda: self.search_now(remember=True))
        box.escaped.connect(lambda: window.tasks.spawn(window.ranked_flow.leave()))
        box.history_requested.connect(self.show_recent_menu)
        toolbar.sort_box.currentIndexChanged.connect(self._on_sort_changed)
        toolbar.direction_button.clicked.connect(self._toggle_direction)
        toolbar.show_direction(window.sort, window.descending)
        toolbar.zoom_slider.valueChanged.connect(window.grid.set_tile_size)
        window.grid.zoom_changed.connect(self._on_zoom_changed)

    @property
    def completer(self) -> SearchCompleter:
        """Autocomplete for the search box, made with the first keystroke rather than on the way
        to the window's first paint."""
        if self._completer is None:
            from dam_desktop.ui.window.search_completer import SearchCompleter

            self._completer = SearchCompleter(self.toolbar.search_box, self.window.client, self)
            self._completer.inserted.connect(lambda: self.search_now(remember=True))
        return self._completer

    def _first_edit(self, text: str) -> None:
        # The completer listens from now on; this keystroke reaches it here (Qt does not call a
        # slot connected while the signal is being emitted).
        self.toolbar.search_box.textEdited.disconnect(self._first_edit)
        if self._completer is None:
            self.completer.on_edited(text)

    def _on_edited(self, text: str) -> None:
        if text:
            self._search_timer.start()
        else:
            self.search_now()  # the × or Escape: all assets at once, no typing pause to wait for

    def search_now(self, remember: bool = False) -> None:
        self._search_timer.stop()
        text = self.toolbar.search_box.text()
        if remember and text.strip():
            self.recent.add(RecentSearch(text.strip(), self.sentence_mode))
        self.window.tasks.spawn(self._search_the_box())

    async def _search_the_box(self) -> None:
        # The box's text when the search starts, not when it was asked for: text set for the box
        # in between (leaving a result clears a sentence) is what the grid must match.
        await self.window.apply_search(self.toolbar.search_box.text())

    def show_text(self, text: str, remember: bool = False) -> None:
        """Show `text` in the box as what the grid shows, without searching again."""
        self._search_timer.stop()
        self.toolbar.search_box.show_text(text)
        if remember and text.strip():
            self.recent.add(RecentSearch(text.strip(), self.sentence_mode))

    def show_recent_menu(self) -> None:
        box = self.toolbar.search_box
        self.recent_menu = self.recent.menu(box, self.run_recent)
        self.recent_menu.popup(box.mapToGlobal(QPoint(0, box.height())))

    def run_recent(self, search: RecentSearch) -> None:
        """Run a recent search again, in the mode it was made in."""
        if self.switch_sentence_mode is not None:
            self.switch_sentence_mode(search.sentence)
        self.toolbar.search_box.show_text(search.text)
        self.search_now(remember=True)

    def focus_search(self) -> None:
        self.toolbar.search_box.setFocus()
        self.toolbar.search_box.selectAll()

    def _on_sort_changed(self, index: int) -> None:
        window = self.window
        window.sort = SortKey(self.toolbar.sort_box.itemData(index))
        window.descending = window.sort.default_descending
        window.menus.sort_actions[window.sort].setChecked(True)
        self.toolbar.show_direction(window.sort, window.descending)
        window.tasks.spawn(window.reload_from_top())

    def _toggle_direction(self) -> None:
        window = self.window
        window.descending = not window.descending
        self.toolbar.show_direction(window.sort, window.descending)
        window.tasks.spawn(window.reload_from_top())

    def _on_zoom_changed(self, size: int) -> None:
        slider = self.toolbar.zoom_slider
        if slider.value() != size:
            slider.blockSignals(True)
            slider.setValue(size)
            slider.blockSignals(False)
