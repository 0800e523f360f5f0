"""The main window: toolbar with search, sidebar, thumbnail grid, inspector, status bar.

Extension points for other parts of the app:
- `window.sidebar.add_section(title, widget)` adds a sidebar widget (the tag sidebar);
  `window.add_view(key, title, widget, icon)` adds a sidebar entry showing its own centre widget.
- `window.inspector.add_section(title, widget)` adds an inspector section (the tag editor).
- Context-menu entries are modules in `dam_desktop.ui.window.actions` (see `ui.context_menu`).
- `await window.show_result(title, query)` fills the grid from any async id query ("Find similar").
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QByteArray,
    QItemSelection,
    QItemSelectionModel,
    QItemSelectionRange,
    QPointF,
    QRectF,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QIcon,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSlider,
    QSplitter,
    QStackedWidget,
    QStatusBar,
    QStyle,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from dam_desktop.core.events import WorldChanged
from dam_desktop.services.browse.browse_sql import IdArray, LibraryCounts
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.ui.changes import ChangeFollower
from dam_desktop.ui.grid.grid_model import AssetGridModel, ResultQuery
from dam_desktop.ui.grid.grid_settings import save_sort, saved_sort
from dam_desktop.ui.grid.grid_view import DEFAULT_TILE, MAX_TILE, MIN_TILE, AssetGridView
from dam_desktop.ui.grid.thumbnail_cache import DEFAULT_BUDGET_MB, ThumbnailCache
from dam_desktop.ui.grid.thumbnail_loader import ThumbnailLoader
from dam_desktop.ui.inspector.inspector import Inspector
from dam_desktop.ui.jobs.import_panel import ImportPanel
from dam_desktop.ui.jobs.jobs import ImportJob, JobList
from dam_desktop.ui.models.menu import install_models_menu
from dam_desktop.ui.tasks import TaskSet
from dam_desktop.ui.window import context_menu
from dam_desktop.ui.window.context_menu import LIBRARY_VIEW, TRASH_VIEW, ActionContext, AssetAction, Selection
from dam_desktop.ui.window.library_menu import LibraryMenu, remember_library
from dam_desktop.ui.window.sidebar import Sidebar
from dam_desktop.ui.world_client import WorldClient

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.services.browse.library_snapshot import LibrarySnapshot
    from dam_desktop.services.ingest.import_service import ImportMode

IMPORT_MODES: dict[ImportMode, str] = {
    "copy": "Copy Files into the Library",
    "reference": "Link to Files Where They Are",
}
MAX_SELECTION_FOR_ACTIONS = 10_000
TILE_COMPONENTS = frozenset({"file", "asset", "trash"})  # changes that alter what a tile shows
GRID_PAGE = "grid"


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


def _setting_int(settings: QSettings, key: str, default: int) -> int:
    try:
        return int(str(settings.value(key, default)))
    except (TypeError, ValueError):
        return default


class MainWindow(QMainWindow):
    library_requested = Signal(Path)
    first_painted = Signal()

    def __init__(self, client: WorldClient, settings: QSettings | None = None) -> None:
        super().__init__()
        self.client = client
        self.settings = settings if settings is not None else QSettings()
        self.setWindowTitle(f"{client.library_path.name} — dam-desktop")
        self.setObjectName("mainWindow")
        self.resize(1400, 900)
        self.setAcceptDrops(True)
        remember_library(self.settings, client.library_path)

        self.jobs = JobList(self)
        self.import_job: ImportJob | None = None
        self.view_key = LIBRARY_VIEW
        self.search_text = ""
        self.custom_query: ResultQuery | None = None
        self.counts = LibraryCounts(0, 0, 0, 0)
        self.tasks = TaskSet()
        self.confirm = self._confirm_with_dialog

        self.sort, self.descending = saved_sort(self.settings)
        mode = str(self.settings.value("import/mode", "copy"))
        self.import_mode: ImportMode = "reference" if mode == "reference" else "copy"

        self.cache = ThumbnailCache(_setting_int(self.settings, "grid/cache_mb", DEFAULT_BUDGET_MB))
        self.loader = ThumbnailLoader(workers=2, parent=self)
        self.model = AssetGridModel(client, self)
        self.grid = AssetGridView(self.model, self.loader, self.cache, self)
        self.grid.set_tile_size(_setting_int(self.settings, "grid/zoom", DEFAULT_TILE))
        self.grid.first_painted.connect(self.first_painted)

        self._build_toolbar()
        self._build_centre()
        self._build_menus()
        self._build_status_bar()
        self._restore_window_state()

        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._on_context_menu)
        self.grid.zoom_changed.connect(self._on_zoom_changed)
        self.grid.activated.connect(lambda _index: self.tasks.spawn(self._run_action_by_key("open-default")))
        self._selection_timer = QTimer(self)
        self._selection_timer.setSingleShot(True)
        self._selection_timer.setInterval(0)
        self._selection_timer.timeout.connect(self._on_selection_settled)
        self.grid.selectionModel().selectionChanged.connect(lambda *_: self._selection_timer.start())
        self.model.modelReset.connect(self._selection_timer.start)
        self.jobs.changed.connect(self._update_jobs_indicator)
        self.change_follower = ChangeFollower(client, lambda _change: True, self.on_world_changed, self)

    # construction -------------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        style = self.style()
        self.import_button = QToolButton(self)
        self.import_button.setText("Import")
        self.import_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_FileDialogNewFolder))
        self.import_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.import_button.setToolTip("Import files (Ctrl+I)")
        self.import_button.clicked.connect(self.choose_files_to_import)
        toolbar.addWidget(self.import_button)

        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("Search tags, e.g.  cat -dog type:image width:>1000")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.addAction(search_icon(), QLineEdit.ActionPosition.LeadingPosition)
        self.search_box.setMinimumWidth(320)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(
            lambda: self.tasks.spawn(self.apply_search(self.search_box.text()))
        )
        self.search_box.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_box.returnPressed.connect(self._search_now)
        toolbar.addWidget(self.search_box)

        spacer = QWidget(self)
        spacer.setFixedWidth(12)
        toolbar.addWidget(spacer)
        sort_label = QLabel("Sort", self)
        sort_label.setObjectName("dimLabel")
        toolbar.addWidget(sort_label)
        self.sort_box = QComboBox(self)
        self.sort_box.setObjectName("sortBox")
        for key in SortKey:
            self.sort_box.addItem(key.label, key.value)
        self.sort_box.setCurrentIndex(list(SortKey).index(self.sort))
        self.sort_box.currentIndexChanged.connect(self._on_sort_changed)
        toolbar.addWidget(self.sort_box)
        self.direction_button = QToolButton(self)
        self.direction_button.setObjectName("directionButton")
        self.direction_button.clicked.connect(self._toggle_direction)
        toolbar.addWidget(self.direction_button)
        self._update_direction_button()

        spacer = QWidget(self)
        spacer.setFixedWidth(12)
        toolbar.addWidget(spacer)
        zoom_label = QLabel("Size", self)
        zoom_label.setObjectName("dimLabel")
        toolbar.addWidget(zoom_label)
        self.zoom_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.zoom_slider.setObjectName("zoomSlider")
        self.zoom_slider.setRange(MIN_TILE, MAX_TILE)
        self.zoom_slider.setValue(self.grid.tile_size)
        self.zoom_slider.setFixedWidth(140)
        self.zoom_slider.setToolTip("Thumbnail size (Ctrl+wheel over the grid)")
        self.zoom_slider.valueChanged.connect(self.grid.set_tile_size)
        toolbar.addWidget(self.zoom_slider)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

    def _build_centre(self) -> None:
        style = self.style()
        self.sidebar = Sidebar(self.client.library_path.name, self)
        self.sidebar.add_view(
            LIBRARY_VIEW, "All Assets", style.standardIcon(QStyle.StandardPixmap.SP_DirHomeIcon)
        )
        self.sidebar.add_view(TRASH_VIEW, "Trash", style.standardIcon(QStyle.StandardPixmap.SP_TrashIcon))
        self.sidebar.view_selected.connect(self._on_view_selected)

        self.banner = QFrame(self)
        self.banner.setObjectName("resultBanner")
        self.banner_label = QLabel("", self.banner)
        self.banner_label.setWordWrap(True)
        self.banner_button = QPushButton("", self.banner)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.setContentsMargins(14, 8, 10, 8)
        banner_layout.addWidget(self.banner_label, 1)
        banner_layout.addWidget(self.banner_button)
        self.banner_button.clicked.connect(self._on_banner_button)
        self.banner.hide()

        self.import_panel = ImportPanel(self)
        grid_page = QWidget(self)
        grid_layout = QVBoxLayout(grid_page)
        grid_layout.setContentsMargins(0, 0, 0, 0)
        grid_layout.setSpacing(0)
        grid_layout.addWidget(self.banner)
        grid_layout.addWidget(self.grid, 1)
        grid_layout.addWidget(self.import_panel)
        self.centre = QStackedWidget(self)
        self.centre.addWidget(grid_page)
        self._pages: dict[str, QWidget] = {GRID_PAGE: grid_page}

        self.inspector = Inspector(self.client, self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.centre)
        self.splitter.addWidget(self.inspector)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([220, 860, 340])
        self.setCentralWidget(self.splitter)

        self.drop_overlay = QLabel("Drop to import into “" + self.client.library_path.name + "”", self)
        self.drop_overlay.setObjectName("dropOverlay")
        self.drop_overlay.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_overlay.hide()

    def _build_menus(self) -> None:
        menu_bar = self.menuBar()
        style = self.style()
        file_menu = menu_bar.addMenu("&File")
        import_files = file_menu.addAction(
            style.standardIcon(QStyle.StandardPixmap.SP_FileIcon), "&Import Files…"
        )
        import_files.setShortcut(QKeySequence("Ctrl+I"))
        import_files.triggered.connect(self.choose_files_to_import)
        import_folder = file_menu.addAction(
            style.standardIcon(QStyle.StandardPixmap.SP_DirIcon), "Import &Folder…"
        )
        import_folder.setShortcut(QKeySequence("Ctrl+Shift+I"))
        import_folder.triggered.connect(self.choose_folder_to_import)
        mode_menu = file_menu.addMenu("When Importing")
        mode_group = QActionGroup(self)
        self.mode_actions: dict[str, QAction] = {}
        for mode, text in IMPORT_MODES.items():
            action = mode_menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(mode == self.import_mode)
            action.triggered.connect(lambda _checked=False, chosen=mode: self.set_import_mode(chosen))
            mode_group.addAction(action)
            self.mode_actions[mode] = action
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)

        edit_menu = menu_bar.addMenu("&Edit")
        select_all = edit_menu.addAction("Select &All")
        select_all.setShortcut(QKeySequence.StandardKey.SelectAll)
        select_all.triggered.connect(self.grid.selectAll)
        find = edit_menu.addAction("&Find")
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self._focus_search)
        edit_menu.addSeparator()
        self.remove_action = edit_menu.addAction(
            style.standardIcon(QStyle.StandardPixmap.SP_TrashIcon), "&Remove from Library…"
        )
        self.remove_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        self.remove_action.triggered.connect(self._remove_or_delete_selection)

        view_menu = menu_bar.addMenu("&View")
        zoom_in = view_menu.addAction("Zoom &In")
        zoom_in.setShortcut(QKeySequence.StandardKey.ZoomIn)
        zoom_in.triggered.connect(lambda: self.grid.set_tile_size(round(self.grid.tile_size * 1.25)))
        zoom_out = view_menu.addAction("Zoom &Out")
        zoom_out.setShortcut(QKeySequence.StandardKey.ZoomOut)
        zoom_out.triggered.connect(lambda: self.grid.set_tile_size(round(self.grid.tile_size / 1.25)))
        view_menu.addSeparator()
        sort_menu = view_menu.addMenu("Sort By")
        sort_group = QActionGroup(self)
        self.sort_actions: dict[SortKey, QAction] = {}
        for key in SortKey:
            action = sort_menu.addAction(key.label)
            action.setCheckable(True)
            action.setChecked(key == self.sort)
            action.triggered.connect(
                lambda _checked=False, chosen=key: self.sort_box.setCurrentIndex(list(SortKey).index(chosen))
            )
            sort_group.addAction(action)
            self.sort_actions[key] = action
        view_menu.addSeparator()
        toggle_inspector = view_menu.addAction("Show &Inspector")
        toggle_inspector.setCheckable(True)
        toggle_inspector.setChecked(True)
        toggle_inspector.setShortcut(QKeySequence("Ctrl+Alt+I"))
        toggle_inspector.toggled.connect(self.inspector.setVisible)
        self.inspector_action = toggle_inspector

        self.library_menu = LibraryMenu(self, self.settings, self.client.library_path)
        self.library_menu.open_requested.connect(self.library_requested)
        self.library_menu.reveal.triggered.connect(self._reveal_library)
        menu_bar.addMenu(self.library_menu.menu)
        install_models_menu(self)

        play = QAction("Play or Pause", self)
        play.setShortcut(QKeySequence(Qt.Key.Key_Space))
        play.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        play.triggered.connect(self._toggle_playback)
        self.grid.addAction(play)

    def _build_status_bar(self) -> None:
        status = QStatusBar(self)
        status.setObjectName("statusBar")
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("countLabel")
        self.jobs_label = QLabel("", self)
        self.jobs_label.setObjectName("jobsLabel")
        self.jobs_bar = QProgressBar(self)
        self.jobs_bar.setObjectName("jobsBar")
        self.jobs_bar.setFixedWidth(110)
        self.jobs_bar.setFixedHeight(6)
        self.jobs_bar.setTextVisible(False)
        self.jobs_label.hide()
        self.jobs_bar.hide()
        status.addPermanentWidget(self.jobs_label)
        status.addPermanentWidget(self.jobs_bar)
        status.addPermanentWidget(self.count_label)
        self.setStatusBar(status)

    # settings -----------------------------------------------------------------------------------
    def _restore_window_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        splitter = self.settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        self.settings.setValue("grid/zoom", self.grid.tile_size)
        save_sort(self.settings, self.sort, self.descending)
        self.settings.setValue("import/mode", self.import_mode)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        if self.import_job is not None:
            self.import_job.cancel()
        self.inspector.audio_player.stop()
        super().closeEvent(event)

    async def shutdown(self) -> None:
        """Stop background work before the world closes: cancel the import and wait for it."""
        if self.import_job is not None and self.import_job.task is not None:
            self.import_job.cancel()
            await asyncio.gather(self.import_job.task, return_exceptions=True)
        await self.tasks.cancel_all()
        await self.model.stop()
        self.loader.shutdown()

    # results ------------------------------------------------------------------------------------
    def current_query(self) -> ResultQuery:
        if self.custom_query is not None:
            return self.custom_query
        sort, descending, trashed, text = (
            self.sort,
            self.descending,
            self.view_key == TRASH_VIEW,
            self.search_text,
        )

        # The use cases are imported inside the queries, on the world thread: they load SQLAlchemy.
        if text and not trashed:

            async def searched(world: World) -> IdArray:
                from dam_desktop.use_cases.search import search_ids

                return await search_ids(world, text, sort=sort, descending=descending)

            return searched

        async def listed(world: World) -> IdArray:
            from dam_desktop.use_cases.library import asset_ids

            return await asset_ids(
                world, sort, descending=descending, trashed=trashed, name_contains=text or None
            )

        return listed

    async def refresh(self) -> None:
        await self.reload()

    def on_world_changed(self, change: WorldChanged) -> None:
        """Follow what the world says changed: the changed tiles' facts and thumbnails, and the
        whole result with the counts when the set of assets changed (or, under a tag query, tags)."""
        ids = list(change.entity_ids)
        if change.touches("thumbnail"):
            self.grid.retry_thumbnails(ids)
        if change.everything or change.components & TILE_COMPONENTS:
            self.model.refresh_infos(None if change.everything else ids)
        if (
            change.added
            or change.removed
            or change.touches("trash")
            or (self.search_text and self.custom_query is None and change.touches("tags"))
        ):
            self.tasks.spawn(self.reload())

    async def reload(self) -> None:
        """Re-run the current query (keeping the selection where it still applies) and the counts."""
        selected = self.selected_ids(limit=MAX_SELECTION_FOR_ACTIONS)
        current = self.grid.currentIndex()
        current_id = self.model.entity_id(current.row()) if current.isValid() else None
        scroll = self.grid.verticalScrollBar().value()
        try:
            shown = await self.model.load(self.current_query())
        except Exception as exc:
            from dam_desktop.services.search import QueryError

            if not isinstance(exc, QueryError):
                raise
            self._show_query_error(exc)
            return
        self._show_query_error(None)
        if shown:
            self.grid.verticalScrollBar().setValue(scroll)
            self._reselect(selected, current_id)
        await self.update_counts()

    def _reselect(self, selected: list[int], current_id: int | None) -> None:
        if not selected:
            return
        import numpy as np

        rows = np.flatnonzero(np.isin(self.model.ids, np.asarray(selected, dtype=np.int64)))
        selection = QItemSelection()
        for row in rows.tolist():
            index = self.model.index(row, 0)
            selection.select(index, index)
        self.grid.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if current_id is not None and (row := self.model.row_of(current_id)) >= 0:
            self.grid.selectionModel().setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate
            )

    async def update_counts(self) -> None:
        async def read(world: World) -> LibraryCounts:
            from dam_desktop.use_cases.library import library_counts

            return await library_counts(world)

        self._show_counts(await self.client.call(read))

    def show_snapshot(self, snapshot: LibrarySnapshot) -> bool:
        """Fill the grid and the counts from the start-up read while the world is still opening;
        False when a query already filled the grid."""
        if not self.model.show_snapshot(snapshot.ids, snapshot.infos):
            return False
        self._show_counts(snapshot.counts)
        return True

    def _show_counts(self, counts: LibraryCounts) -> None:
        self.counts = counts
        self.sidebar.set_count(LIBRARY_VIEW, self.counts.assets)
        self.sidebar.set_count(TRASH_VIEW, self.counts.trashed or None)
        self._update_count_label()
        self._update_banner()

    def _update_count_label(self) -> None:
        shown = self.model.rowCount()
        selected = self._selected_count()
        if self.view_key == TRASH_VIEW:
            text = f"{shown:,} in the trash"
        elif self.search_text or self.custom_query is not None:
            text = f"{shown:,} of {self.counts.assets:,} assets"
        else:
            counts = self.counts
            text = f"{counts.assets:,} assets · {counts.images:,} images · {counts.sounds:,} sounds"
        if selected:
            text += f"  ·  {selected:,} selected"
        self.count_label.setText(text)

    def _update_banner(self) -> None:
        if self.custom_query is not None:
            self.banner.show()
            self.banner_button.setText("Back to All Assets")
            self.banner_button.show()
        elif self.view_key == TRASH_VIEW:
            self.banner.show()
            if self.counts.trashed:
                self.banner_label.setText(
                    "Assets in the trash are out of the library but not deleted. "
                    "Right-click to restore them, or empty the trash to delete them for good."
                )
                self.banner_button.setText("Empty Trash…")
                self.banner_button.show()
            else:
                self.banner_label.setText("The trash is empty.")
                self.banner_button.hide()
        else:
            self.banner.hide()

    async def show_result(self, title: str, query: ResultQuery) -> None:
        """Show the ids an arbitrary query returns (e.g. "Similar to x.png") until the user goes back."""
        self.custom_query = query
        self.banner_label.setText(title)
        self.sidebar.nav.blockSignals(True)
        self.sidebar.select_view(LIBRARY_VIEW)
        self.sidebar.nav.blockSignals(False)
        self.view_key = LIBRARY_VIEW
        self.centre.setCurrentWidget(self._pages[GRID_PAGE])
        self.grid.clearSelection()
        await self.reload()
        self.grid.verticalScrollBar().setValue(0)

    def add_view(self, key: str, title: str, widget: QWidget, icon: QIcon | None = None) -> None:
        """A sidebar entry with its own centre widget (e.g. the model-tags review)."""
        self._pages[key] = widget
        self.centre.addWidget(widget)
        self.sidebar.add_view(key, title, icon)

    async def apply_search(self, text: str) -> None:
        text = text.strip()
        if text == self.search_text:
            return
        self.search_text = text
        self.custom_query = None
        await self.reload()
        self.grid.verticalScrollBar().setValue(0)

    def _show_query_error(self, error: Exception | None) -> None:
        self.search_box.setProperty("invalid", error is not None)
        self.search_box.style().unpolish(self.search_box)
        self.search_box.style().polish(self.search_box)
        self.search_box.setToolTip(str(error) if error is not None else "")
        if error is not None:
            self.statusBar().showMessage(f"Search: {error}", 8000)

    def _on_view_selected(self, key: str) -> None:
        page = self._pages.get(key)
        if page is not None and key not in (LIBRARY_VIEW, TRASH_VIEW):
            self.centre.setCurrentWidget(page)
            self.view_key = key
            return
        self.centre.setCurrentWidget(self._pages[GRID_PAGE])
        self.view_key = key
        self.custom_query = None
        self.grid.clearSelection()
        self.search_box.setEnabled(key == LIBRARY_VIEW)
        self.grid.empty_title = "The trash is empty" if key == TRASH_VIEW else "Drop images or sounds here"
        self.grid.empty_hint = (
            "Assets you remove from the library wait here until you empty the trash"
            if key == TRASH_VIEW
            else "or choose File › Import… to add files and folders to this library"
        )
        self._update_banner()
        self.tasks.spawn(self._reload_from_top())

    async def _reload_from_top(self) -> None:
        await self.reload()
        self.grid.verticalScrollBar().setValue(0)

    def _on_banner_button(self) -> None:
        if self.custom_query is not None:
            self.custom_query = None
            self.tasks.spawn(self._reload_from_top())
        elif self.view_key == TRASH_VIEW:
            self.tasks.spawn(self.empty_trash())

    async def empty_trash(self) -> None:
        count = self.counts.trashed
        if not count or not self.confirm(
            "Empty trash",
            f"Delete the {count:,} asset{'s' if count != 1 else ''} in the trash permanently?\n\n"
            "Their stored copies are deleted; this cannot be undone.",
        ):
            return
        from dam_desktop.use_cases.trash import delete_for_good

        deleted = len((await self.client.call(delete_for_good)).entity_ids)
        await self.reload()
        self.statusBar().showMessage(
            f"Deleted {deleted:,} asset{'s' if deleted != 1 else ''} permanently", 6000
        )

    def _on_sort_changed(self, index: int) -> None:
        self.sort = SortKey(self.sort_box.itemData(index))
        self.descending = self.sort.default_descending
        self.sort_actions[self.sort].setChecked(True)
        self._update_direction_button()
        self.tasks.spawn(self._reload_from_top())

    def _toggle_direction(self) -> None:
        self.descending = not self.descending
        self._update_direction_button()
        self.tasks.spawn(self._reload_from_top())

    def _update_direction_button(self) -> None:
        words = {
            SortKey.ADDED: ("newest first", "oldest first"),
            SortKey.NAME: ("Z to A", "A to Z"),
            SortKey.SIZE: ("largest first", "smallest first"),
            SortKey.TYPE: ("Z to A", "A to Z"),
        }[self.sort]
        shown = words[0] if self.descending else words[1]
        self.direction_button.setText(("↓ " if self.descending else "↑ ") + shown)
        self.direction_button.setToolTip(f"Showing {shown}; click to reverse the order")

    def _on_zoom_changed(self, size: int) -> None:
        if self.zoom_slider.value() != size:
            self.zoom_slider.blockSignals(True)
            self.zoom_slider.setValue(size)
            self.zoom_slider.blockSignals(False)

    # selection and inspector --------------------------------------------------------------------
    def _selected_count(self) -> int:
        return sum(r.bottom() - r.top() + 1 for r in self._selection_ranges())

    def _selection_ranges(self) -> list[QItemSelectionRange]:
        selection = self.grid.selectionModel().selection()
        return [selection.at(n) for n in range(selection.size())]

    def selected_ids(self, limit: int | None = None) -> list[int]:
        found: list[int] = []
        for selected_range in self._selection_ranges():
            found.extend(self.model.ids_in(selected_range.top(), selected_range.bottom() + 1))
            if limit is not None and len(found) >= limit:
                return found[:limit]
        return found

    def _on_selection_settled(self) -> None:
        self._update_count_label()
        count = self._selected_count()
        ids = self.selected_ids(limit=1) if count == 1 else []
        task = self.inspector.show_selection(ids, count)
        self.tasks.add(task)
        if 1 < count <= 5000:
            self.model.request_infos(self.selected_ids(limit=5000))

    def _toggle_playback(self) -> None:
        if (
            self.inspector.previews.currentWidget() is self.inspector.audio_player
            and self.inspector.previews.isVisible()
        ):
            self.inspector.audio_player.toggle()

    # context menu and actions ---------------------------------------------------------------------
    def action_context(self) -> ActionContext:
        return ActionContext(
            window=self,
            client=self.client,
            confirm=lambda title, text: self.confirm(title, text),
            reload=self.reload,
            show_message=lambda text: self.statusBar().showMessage(text, 6000),
            show_result=self.show_result,  # type: ignore[arg-type]
        )

    async def current_selection(self) -> Selection:
        ids = self.selected_ids(limit=MAX_SELECTION_FOR_ACTIONS)
        infos = await self.model.fetch_infos(ids)
        return Selection(ids, [infos[i] for i in ids if i in infos], self.view_key)

    def _on_context_menu(self, pos: Any) -> None:
        index = self.grid.indexAt(pos)
        if index.isValid() and not self.grid.selectionModel().isSelected(index):
            self.grid.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        self.tasks.spawn(self._show_context_menu(self.grid.viewport().mapToGlobal(pos)))

    async def _show_context_menu(self, global_pos: Any) -> None:
        selection = await self.current_selection()
        if not len(selection):
            return

        def trigger(action: AssetAction) -> None:
            self.tasks.spawn(self.run_action(action, selection))

        menu = context_menu.build_menu(self, selection, trigger)
        self.last_menu = menu
        menu.popup(global_pos)

    async def run_action(self, action: AssetAction, selection: Selection | None = None) -> None:
        selection = selection if selection is not None else await self.current_selection()
        if action.applies_to(selection):
            await action.run(self.action_context(), selection)

    async def _run_action_by_key(self, key: str) -> None:
        for action in context_menu.registered_actions():
            if action.key == key:
                await self.run_action(action)

    def _remove_or_delete_selection(self) -> None:
        self.tasks.spawn(
            self._run_action_by_key("remove" if self.view_key != TRASH_VIEW else "delete-permanently")
        )

    def _confirm_with_dialog(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            self, title, text, QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel
        )
        return answer == QMessageBox.StandardButton.Ok

    def _reveal_library(self) -> None:
        from dam_desktop.ui.window.actions.files import open_path

        open_path(self.client.library_path)

    # import -------------------------------------------------------------------------------------
    def set_import_mode(self, mode: ImportMode) -> None:
        self.import_mode = mode
        self.mode_actions[mode].setChecked(True)

    def choose_files_to_import(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import files", "", "Images and sounds (*);;All files (*)"
        )
        if files:
            self.start_import([Path(f) for f in files])

    def choose_folder_to_import(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import folder")
        if folder:
            self.start_import([Path(folder)])

    def start_import(self, paths: Sequence[Path], mode: ImportMode | None = None) -> ImportJob | None:
        if self.import_job is not None:
            self.statusBar().showMessage(
                "An import is already running; wait for it or cancel it first.", 6000
            )
            return None
        job = ImportJob(self.client, paths, mode or self.import_mode, self)
        self.import_job = job
        job.assets_ready.connect(self._on_assets_ready)
        job.completed.connect(self._on_import_completed)
        job.crashed.connect(self._on_import_crashed)
        self.jobs.add(job)
        self.import_panel.track(job)
        task = job.start()
        self.tasks.add(task)
        return job

    def _on_assets_ready(self, entity_ids: list[int]) -> None:
        if self.view_key == LIBRARY_VIEW and not self.search_text and self.custom_query is None:
            newest_first = self.sort == SortKey.ADDED and self.descending
            self.model.insert_ids(
                list(reversed(entity_ids)) if newest_first else entity_ids, at_start=newest_first
            )
            self.grid.retry_thumbnails(entity_ids)
        self.counts = LibraryCounts(
            self.counts.assets + len(entity_ids), self.counts.images, self.counts.sounds, self.counts.trashed
        )
        self.sidebar.set_count(LIBRARY_VIEW, self.counts.assets)
        self._update_count_label()

    def _on_import_completed(self, report: Any) -> None:
        from dam_desktop.ui.jobs.import_report_dialog import ImportReportDialog, report_summary

        self.import_job = None
        self.import_panel.finish()
        self.statusBar().showMessage(report_summary(report), 10000)
        self.tasks.spawn(self.reload())
        if report.failed or report.cancelled or report.duplicates or len(report.imported) > 0:
            self.report_dialog = ImportReportDialog(report, self)
            self.report_dialog.open()

    def _on_import_crashed(self, message: str) -> None:
        self.import_job = None
        self.import_panel.finish()
        QMessageBox.critical(self, "Import failed", f"The import stopped with an error:\n\n{message}")
        self.tasks.spawn(self.reload())

    def _update_jobs_indicator(self) -> None:
        busy = self.jobs.busy
        self.jobs_label.setVisible(busy)
        self.jobs_bar.setVisible(busy)
        if not busy:
            return
        self.jobs_label.setText(self.jobs.summary())
        job = self.jobs.jobs[0]
        if job.total:
            self.jobs_bar.setRange(0, job.total)
            self.jobs_bar.setValue(job.done)
        else:
            self.jobs_bar.setRange(0, 0)

    # drag and drop import -----------------------------------------------------------------------
    @staticmethod
    def _local_paths(event: QDropEvent | QDragEnterEvent) -> list[Path]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        # Drags that start in our own grid are files already in the library.
        if event.source() is None and self._local_paths(event):
            event.acceptProposedAction()
            self.drop_overlay.setGeometry(self.centre.geometry().translated(self.splitter.pos()))
            self.drop_overlay.raise_()
            self.drop_overlay.show()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.drop_overlay.hide()

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_overlay.hide()
        paths = self._local_paths(event)
        if event.source() is not None or not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.start_import(paths)

    # helpers ------------------------------------------------------------------------------------
    def _search_now(self) -> None:
        self._search_timer.stop()
        self.tasks.spawn(self.apply_search(self.search_box.text()))

    def _focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()
