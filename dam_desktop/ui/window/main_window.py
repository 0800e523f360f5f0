"""The main window: toolbar with search, sidebar, thumbnail grid, inspector, status bar.

This module composes the parts (`toolbar`, `menus`, `status_bar`, `result_banner`, `import_flow`,
`results`) and keeps the state they share: which view, search, sort and result the grid shows.

Extension points for other parts of the app:
- `window.sidebar.add_section(title, widget)` adds a sidebar widget (the tag sidebar);
  `window.add_view(key, title, widget, icon)` adds a sidebar entry showing its own centre widget.
- `window.inspector.add_section(title, widget)` adds an inspector section (the tag editor).
- Context-menu entries are modules in `dam_desktop.ui.window.actions`; `await
  window.show_result(title, query)` fills the grid from any async id query; `await
  window.ranked_flow.show(result)` a ranked one, with scores, header and chip.
- The grid, the counts and the banner follow the world's change events (`on_world_changed`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDragLeaveEvent, QDropEvent, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from dam_desktop.core.errors import DamError
from dam_desktop.core.events import WorldChanged
from dam_desktop.services.browse.browse_sql import LibraryCounts
from dam_desktop.ui.changes import ChangeFollower
from dam_desktop.ui.grid.grid_model import AssetGridModel, ResultQuery
from dam_desktop.ui.grid.grid_settings import saved_sort, saved_zoom
from dam_desktop.ui.grid.grid_view import AssetGridView
from dam_desktop.ui.grid.thumbnail_cache import DEFAULT_BUDGET_MB, ThumbnailCache
from dam_desktop.ui.grid.thumbnail_loader import ThumbnailLoader
from dam_desktop.ui.inspector.inspector import Inspector
from dam_desktop.ui.jobs.import_panel import ImportPanel
from dam_desktop.ui.jobs.jobs import ImportJob, JobList
from dam_desktop.ui.tasks import TaskSet
from dam_desktop.ui.window import results
from dam_desktop.ui.window.asset_actions import MAX_SELECTION_FOR_ACTIONS, AssetActions
from dam_desktop.ui.window.context_menu import LIBRARY_VIEW, TRASH_VIEW, AssetAction, Selection
from dam_desktop.ui.window.import_flow import ImportFlow
from dam_desktop.ui.window.menus import build_menus
from dam_desktop.ui.window.ranked_flow import RankedFlow
from dam_desktop.ui.window.read_failure import ReadFailure
from dam_desktop.ui.window.result_banner import ResultBanner
from dam_desktop.ui.window.results import RankedResult
from dam_desktop.ui.window.sidebar import Sidebar
from dam_desktop.ui.window.status_bar import StatusBar
from dam_desktop.ui.window.toolbar import BrowseControls, build_toolbar
from dam_desktop.ui.window.window_state import restore_window_state, save_window_state, setting_int
from dam_desktop.ui.world_client import WorldClient

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.services.browse.library_snapshot import LibrarySnapshot
    from dam_desktop.services.ingest.import_service import ImportMode

GRID_PAGE = "grid"
TILE_COMPONENTS = frozenset({"file", "asset", "trash"})  # changes that alter what a tile shows


class MainWindow(QMainWindow):
    library_requested = Signal(object)  # a folder (Path) or a shared library's URL (str)
    first_painted = Signal()

    def __init__(self, client: WorldClient, settings: QSettings | None = None) -> None:
        super().__init__()
        self.client = client
        self.settings = settings if settings is not None else QSettings()
        self.setWindowTitle(f"{client.library_path.name} — dam-desktop")
        self.setObjectName("mainWindow")
        self.resize(1400, 900)
        self.setAcceptDrops(True)

        self.jobs = JobList(self)
        self.tasks = TaskSet()
        self.view_key = LIBRARY_VIEW
        self.search_text = ""
        self.custom_query: ResultQuery | None = None
        self.ranked: RankedResult | None = None
        self.result_title = ""
        self.search_failure: str | None = None  # why the last query could not run
        self.counts = LibraryCounts(0, 0, 0, 0)
        self.confirm = self._confirm_with_dialog
        self.sort, self.descending = saved_sort(self.settings)
        mode: ImportMode = (
            "reference" if self.settings.value("import/mode", "copy") == "reference" else "copy"
        )
        self.importer = ImportFlow(self, mode)
        self.report_dialog: QDialog | None = None  # the last import's report

        self.cache = ThumbnailCache(setting_int(self.settings, "grid/cache_mb", DEFAULT_BUDGET_MB))
        self.loader = ThumbnailLoader(workers=2, parent=self)
        self.model = AssetGridModel(client, self)
        self.grid = AssetGridView(self.model, self.loader, self.cache, self)
        self.grid.set_tile_size(saved_zoom(self.settings))
        self.grid.first_painted.connect(self.first_painted)
        self.grid.first_painted.connect(client.painted)  # the library's open check may run now

        self.toolbar = build_toolbar(self, self.sort, self.grid.tile_size)
        self.search_box, self.sort_box = self.toolbar.search_box, self.toolbar.sort_box
        self.addToolBar(self.toolbar.bar)
        self.controls = BrowseControls(self, self.toolbar)
        self._build_centre()
        self.actions_menu = AssetActions(self)
        self.ranked_flow = RankedFlow(self)
        self.menus = build_menus(self)
        self.remove_action, self.library_menu = self.menus.remove_action, self.menus.library_menu
        self.status_bar = StatusBar(self)
        self.read_failure = ReadFailure(self)
        self.count_label, self.jobs_label = self.status_bar.count_label, self.status_bar.jobs_label
        self.setStatusBar(self.status_bar)
        restore_window_state(self)

        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self.actions_menu.menu_requested)
        self.grid.activated.connect(lambda _index: self.tasks.spawn(self._run_action_by_key("open-default")))
        self._selection_timer = QTimer(self)
        self._selection_timer.setSingleShot(True)
        self._selection_timer.setInterval(0)
        self._selection_timer.timeout.connect(self._on_selection_settled)
        self.grid.selectionModel().selectionChanged.connect(lambda *_: self._selection_timer.start())
        self.model.modelReset.connect(self._selection_timer.start)
        self.model.size_changed.connect(self._update_count_label)
        self.jobs.changed.connect(lambda: self.status_bar.show_jobs(self.jobs))
        self.change_follower = ChangeFollower(client, lambda _change: True, self.on_world_changed, self)

    # construction -------------------------------------------------------------------------------
    def _build_centre(self) -> None:
        style = self.style()
        self.sidebar = Sidebar(self.client.library_path.name, self)
        self.sidebar.add_view(
            LIBRARY_VIEW, "All Assets", style.standardIcon(QStyle.StandardPixmap.SP_DirHomeIcon)
        )
        self.sidebar.add_view(TRASH_VIEW, "Trash", style.standardIcon(QStyle.StandardPixmap.SP_TrashIcon))
        self.sidebar.view_selected.connect(self._on_view_selected)
        self.banner = ResultBanner(self)
        self.banner_label, self.banner_button = self.banner.label, self.banner.button
        self.banner_button.clicked.connect(self._on_banner_button)
        self.banner.chip.removed.connect(lambda: self.tasks.spawn(self.ranked_flow.narrow("")))

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
        for n, (part, stretch) in enumerate(((self.sidebar, 0), (self.centre, 1), (self.inspector, 0))):
            self.splitter.addWidget(part)
            self.splitter.setStretchFactor(n, stretch)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([220, 860, 340])
        self.setCentralWidget(self.splitter)

    # settings and closing -------------------------------------------------------------------------
    def save_settings(self) -> None:
        save_window_state(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self.importer.quitting()  # cancelled now, resumed by the next window on this library
        self.inspector.players.stop()
        super().closeEvent(event)

    async def shutdown(self) -> None:
        """Stop background work before the world closes: cancel the import and wait for it. From
        the start no new task is taken, and no change event reaches the window or its rooms."""
        self.tasks.closed = True
        self.client.changes.blockSignals(True)  # the client is this window's, and closes next
        self.inspector.players.stop()
        if self.import_job is not None and self.import_job.task is not None:
            self.import_job.cancel()
            await asyncio.gather(self.import_job.task, return_exceptions=True)
        await self.tasks.close()
        await self.model.stop()
        self.loader.shutdown()

    # the result ---------------------------------------------------------------------------------
    def current_query(self, first: int | None = None) -> ResultQuery:
        if self.ranked is not None:
            return self.ranked.query()
        if self.custom_query is not None:
            return self.custom_query
        text, trashed = self.search_text, self.view_key == TRASH_VIEW
        return results.view_query(self.sort, self.descending, trashed=trashed, text=text, first=first)

    async def refresh(self) -> None:
        await self.reload()

    async def reload(self) -> None:
        """Re-run the current query (keeping the selection where it still applies) and the counts."""
        place: results.GridPlace | None = None

        def remember_place() -> None:
            nonlocal place
            place = results.place_of(self.grid, self.model, MAX_SELECTION_FOR_ACTIONS)

        asked = self.read_failure.result_asked()
        try:
            shown = await self.model.load(self.current_query(results.rows_to_keep(self.grid)), remember_place)
        except DamError as exc:
            # The grid shows why, not the previous result; the box marks the place in the query.
            self.read_failure.cleared()
            self.ranked_flow.show_failure(exc)
            await self.read_failure.read_counts(asked)
            return
        except Exception as exc:  # any other failure is said too, never a silently stale grid
            self.read_failure.failed(exc, asked)
            return
        if not shown:
            return  # a newer reload shows its own result
        self.search_failure = None
        self.toolbar.show_query_error(None)
        self.read_failure.loaded(asked)
        if place is not None:
            results.restore_place(self.grid, self.model, place)
            self.ranked_flow.update_banner()  # the header and an empty grid's words come with the result
            self.grid.set_empty_state(self.ranked_flow.empty_state())
        await self.read_failure.read_counts(asked)

    def on_world_changed(self, change: WorldChanged) -> None:
        """Follow what the world says changed: the changed tiles' facts and thumbnails, and the
        whole result with the counts when the set of assets changed (or, under a tag query, tags,
        or the words of tags a shared library's words stage has just written)."""
        ids = list(change.entity_ids)
        if change.touches("thumbnail"):
            self.grid.retry_thumbnails(ids)
        if change.everything or change.components & TILE_COMPONENTS:
            self.model.refresh_infos(None if change.everything else ids)
        tag_query_shown = (bool(self.search_text) and self.custom_query is None and self.ranked is None) or (
            self.ranked is not None and bool(self.ranked.narrowing)
        )
        if (
            change.added
            or change.removed
            or change.touches("trash")
            or (tag_query_shown and (change.touches("tags") or change.touches("words")))
        ):
            self.tasks.spawn(self.reload())

    async def update_counts(self) -> None:
        async def read(world: World) -> LibraryCounts:
            from dam_desktop.use_cases.library import library_counts

            return await library_counts(world)

        self.show_counts(await self.client.call(read))

    def show_snapshot(self, snapshot: LibrarySnapshot) -> bool:
        """Fill the grid and the counts from the start-up read while the world is still opening;
        False when a query already filled the grid."""
        if not self.model.show_snapshot(snapshot.ids, snapshot.infos):
            return False
        self.read_failure.loaded(self.read_failure.result_asked())  # the rows the first view asks for
        self.show_counts(snapshot.counts)
        return True

    def show_counts(self, counts: LibraryCounts) -> None:
        self.counts = counts
        self.sidebar.set_count(LIBRARY_VIEW, counts.assets)
        self.sidebar.set_count(TRASH_VIEW, counts.trashed or None)
        self._update_count_label()
        self.ranked_flow.update_banner()
        self.grid.set_empty_state(self.ranked_flow.empty_state())

    def _update_count_label(self) -> None:
        narrowed = bool(self.search_text) or self.custom_query is not None or self.ranked is not None
        selected, trash = results.selected_count(self.grid), self.view_key == TRASH_VIEW
        self.status_bar.show_count(self.counts, self.model, selected, trash=trash, narrowed=narrowed)

    async def show_result(self, title: str, query: ResultQuery) -> None:
        """Show the ids an arbitrary query returns (e.g. "Similar to x.png") until the user goes back."""
        self.custom_query = query
        self.ranked = None
        self.result_title = title
        self.banner_label.setText(title)
        await self.show_grid_page()

    async def show_grid_page(self) -> None:
        """The library's grid from the top, for a result that replaces the view."""
        self.sidebar.nav.blockSignals(True)
        self.sidebar.select_view(LIBRARY_VIEW)
        self.sidebar.nav.blockSignals(False)
        self.view_key = LIBRARY_VIEW
        self.centre.setCurrentWidget(self._pages[GRID_PAGE])
        self.grid.clearSelection()
        await self.reload_from_top()

    def add_view(self, key: str, title: str, widget: QWidget, icon: QIcon | None = None) -> None:
        """A sidebar entry with its own centre widget (e.g. the model-tags review)."""
        self._pages[key] = widget
        self.centre.addWidget(widget)
        self.sidebar.add_view(key, title, icon)

    async def apply_search(self, text: str) -> None:
        text = text.strip()
        if text == self.search_text and self.ranked is None and self.custom_query is None:
            return
        self.search_text = text
        self.custom_query = None
        self.ranked = None
        await self.reload_from_top()

    def _on_view_selected(self, key: str) -> None:
        page = self._pages.get(key)
        self.view_key = key
        if page is not None and key not in (LIBRARY_VIEW, TRASH_VIEW):
            self.centre.setCurrentWidget(page)
            return
        self.centre.setCurrentWidget(self._pages[GRID_PAGE])
        if self.ranked is not None and self.ranked.sentence:
            self.controls.show_text("")
        self.custom_query = None
        self.ranked = None
        self.grid.clearSelection()
        self.search_box.setEnabled(key == LIBRARY_VIEW)
        self.grid.set_empty_state(self.ranked_flow.empty_state())
        self.ranked_flow.update_banner()
        self.tasks.spawn(self.reload_from_top())

    async def reload_from_top(self) -> None:
        await self.reload()
        self.grid.verticalScrollBar().setValue(0)

    def _on_banner_button(self) -> None:
        if self.custom_query is not None or self.ranked is not None:
            self.tasks.spawn(self.ranked_flow.leave())
        elif self.view_key == TRASH_VIEW:
            self.tasks.spawn(self.empty_trash())

    async def empty_trash(self) -> None:
        from dam_desktop.ui.window.actions.trash import empty_trash

        await empty_trash(self.actions_menu.context(), self.counts.trashed)

    # selection and actions ----------------------------------------------------------------------
    def selected_ids(self, limit: int | None = None) -> list[int]:
        return results.selected_ids(self.grid, self.model, limit)

    def _on_selection_settled(self) -> None:
        self._update_count_label()
        count = results.selected_count(self.grid)
        self.tasks.add(self.inspector.show_selection(self.selected_ids(limit=1) if count == 1 else [], count))
        if 1 < count <= 5000:
            self.model.request_infos(self.selected_ids(limit=5000))

    async def current_selection(self) -> Selection:
        return await self.actions_menu.current_selection()

    async def run_action(self, action: AssetAction, selection: Selection | None = None) -> None:
        await self.actions_menu.run(action, selection)

    async def _run_action_by_key(self, key: str) -> None:
        await self.actions_menu.run_by_key(key)

    def _confirm_with_dialog(self, title: str, text: str) -> bool:
        buttons = QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel
        return QMessageBox.question(self, title, text, buttons) == QMessageBox.StandardButton.Ok

    # import and drops -----------------------------------------------------------------------------
    @property
    def import_job(self) -> ImportJob | None:
        return self.importer.job

    def set_import_mode(self, mode: ImportMode) -> None:
        self.importer.mode = mode
        self.menus.mode_actions[mode].setChecked(True)

    def start_import(self, paths: Sequence[Path], mode: ImportMode | None = None) -> ImportJob | None:
        return self.importer.start(paths, mode)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self.importer.drag_entered(event)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.importer.drag_left()

    def dropEvent(self, event: QDropEvent) -> None:
        self.importer.dropped(event)
