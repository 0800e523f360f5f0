"""The window's toolbar: Import, the search box, sort key and direction, and the tile size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QSlider, QStyle, QToolBar, QToolButton, QWidget

from dam_desktop.services.search.sorting import SortKey
from dam_desktop.ui.grid.grid_view import MAX_TILE, MIN_TILE

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow

SEARCH_DELAY_MS = 250  # typing pauses this long before the search runs

# How each sort key reads in each direction: (descending, ascending).
DIRECTION_WORDS: dict[SortKey, tuple[str, str]] = {
    SortKey.ADDED: ("newest first", "oldest first"),
    SortKey.NAME: ("Z to A", "A to Z"),
    SortKey.SIZE: ("largest first", "smallest first"),
    SortKey.TYPE: ("Z to A", "A to Z"),
}


def search_icon() -> QIcon:
    """A magnifying glass (Qt's standard icons have none)."""
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor("#9aa3b2"), 3.2)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawEllipse(QRectF(5, 5, 15, 15))
    painter.drawLine(QPointF(18, 18), QPointF(26, 26))
    painter.end()
    return QIcon(pixmap)


@dataclass
class Toolbar:
    bar: QToolBar
    import_button: QToolButton
    search_box: QLineEdit
    sort_box: QComboBox
    direction_button: QToolButton
    zoom_slider: QSlider

    def show_direction(self, sort: SortKey, descending: bool) -> None:
        shown = DIRECTION_WORDS[sort][0 if descending else 1]
        self.direction_button.setText(("↓ " if descending else "↑ ") + shown)
        self.direction_button.setToolTip(f"Showing {shown}; click to reverse the order")

    def show_query_error(self, error: Exception | None) -> None:
        """Mark the search box red (the style sheet's `invalid` property) with the error as tooltip."""
        box = self.search_box
        box.setProperty("invalid", error is not None)
        box.style().unpolish(box)
        box.style().polish(box)
        box.setToolTip(str(error) if error is not None else "")


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

    search_box = QLineEdit(parent)
    search_box.setObjectName("searchBox")
    search_box.setPlaceholderText("Search tags, e.g.  cat -dog type:image width:>1000")
    search_box.setClearButtonEnabled(True)
    search_box.addAction(search_icon(), QLineEdit.ActionPosition.LeadingPosition)
    search_box.setMinimumWidth(320)
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
    """Wires the toolbar to the window: searching as one types (Enter at once), the sort key and
    direction, and the size slider kept in step with Ctrl+wheel zooming over the grid."""

    def __init__(self, window: MainWindow, toolbar: Toolbar) -> None:
        super().__init__(window)
        self.window = window
        self.toolbar = toolbar
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.search_now)
        toolbar.import_button.clicked.connect(window.importer.choose_files)
        toolbar.search_box.textChanged.connect(lambda _text: self._search_timer.start())
        toolbar.search_box.returnPressed.connect(self.search_now)
        toolbar.sort_box.currentIndexChanged.connect(self._on_sort_changed)
        toolbar.direction_button.clicked.connect(self._toggle_direction)
        toolbar.show_direction(window.sort, window.descending)
        toolbar.zoom_slider.valueChanged.connect(window.grid.set_tile_size)
        window.grid.zoom_changed.connect(self._on_zoom_changed)

    def search_now(self) -> None:
        self._search_timer.stop()
        self.window.tasks.spawn(self.window.apply_search(self.toolbar.search_box.text()))

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
