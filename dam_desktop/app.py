"""The desktop app: QApplication, a qasync event loop on the GUI thread, and the world thread.

`DAM_DESKTOP_REPORT_FIRST_PAINT=1` prints `first-paint <seconds since process start> rss-mb <MB>
assets <tiles in the grid>` to stderr when the grid first paints (the benchmark and the package
smoke test read it); `=quit` also quits right after.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLoggingCategory, QSettings
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox

from dam_desktop import __version__
from dam_desktop.core.errors import DamError
from dam_desktop.settings import APPLICATION_NAME, ORGANIZATION_NAME
from dam_desktop.utils.heap import settle_heap_for_a_window

if TYPE_CHECKING:
    from dam_desktop.library_opening import LibraryOpening
    from dam_desktop.ui.window.handoff_server import HandoffServer
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.world_client import WorldClient

FIRST_PAINT_ENV = "DAM_DESKTOP_REPORT_FIRST_PAINT"
STYLE_SHEET = Path(__file__).parent / "ui" / "resources" / "style.qss"
FIRST_PAINT_WAIT_S = 0.5  # the world opens after the first paint, or after this at the latest


def create_application(qt_args: Sequence[str] = ()) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Qt's FFmpeg backend dumps every clip's streams and the libraries it looked for to the
    # terminal; a failure to play reaches the player's own message instead. QT_LOGGING_RULES still
    # turns them back on (it takes precedence over these rules).
    QLoggingCategory.setFilterRules("qt.multimedia.*=false")
    settle_heap_for_a_window()
    app = QApplication([sys.argv[0], *qt_args])
    app.setOrganizationName(ORGANIZATION_NAME)
    app.setApplicationName(APPLICATION_NAME)
    app.setApplicationDisplayName("dam-desktop")
    app.setApplicationVersion(__version__)
    apply_theme(app)
    return app


def dark_palette() -> QPalette:
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#1e2128",
        QPalette.ColorRole.WindowText: "#e3e6ec",
        QPalette.ColorRole.Base: "#171a20",
        QPalette.ColorRole.AlternateBase: "#1f232b",
        QPalette.ColorRole.ToolTipBase: "#2b303a",
        QPalette.ColorRole.ToolTipText: "#e3e6ec",
        QPalette.ColorRole.PlaceholderText: "#7d8594",
        QPalette.ColorRole.Text: "#e3e6ec",
        QPalette.ColorRole.Button: "#2a2f39",
        QPalette.ColorRole.ButtonText: "#e3e6ec",
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: "#3d8bfd",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#6ea8fe",
        QPalette.ColorRole.Light: "#3a404c",
        QPalette.ColorRole.Mid: "#2a2f39",
        QPalette.ColorRole.Dark: "#111318",
        QPalette.ColorRole.Shadow: "#000000",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b7280"))
    return palette


def apply_theme(app: QApplication) -> None:
    """Fusion with a dark palette and the app's style sheet: the same look on every platform."""
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    if STYLE_SHEET.is_file():
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))


def process_seconds() -> float:
    """Seconds since this process started, to about 10 ms (the interpreter's own start included).

    Linux says when the process began in clock ticks since boot (/proc/self/stat), on the same
    clock as /proc/uptime. psutil's create_time is whole seconds on Linux, which read up to a
    second high. Elsewhere: since the package was imported, on the monotonic clock."""
    try:
        now = float(Path("/proc/uptime").read_text(encoding="ascii").split()[0])
        # The command name (field 2) may hold spaces; the fields after its ')' are plain numbers.
        fields = Path("/proc/self/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: starttime
        return max(0.0, now - started)
    except (OSError, ValueError, IndexError):
        from dam_desktop import IMPORTED_MONOTONIC

        return time.monotonic() - IMPORTED_MONOTONIC


def _rss_mb() -> float:
    try:
        import psutil

        return float(psutil.Process().memory_info().rss) / (1024 * 1024)
    except Exception:
        return 0.0


def install_room_ui(window: MainWindow) -> None:
    """Add the background pipeline, the tag, semantic-search and model-tag parts to a new window
    whose world is open.

    Without torch (the lite package) the model features are left out and the status bar says why,
    rather than offering buttons that cannot work; the pipeline still makes thumbnails and sound
    fingerprints there.
    """
    from dam_desktop.features import MODEL_FEATURES_UNAVAILABLE_NOTE, model_features_available
    from dam_desktop.ui.jobs.background_work import install_background_work
    from dam_desktop.ui.jobs.scheduled_backup import install_scheduled_backup
    from dam_desktop.ui.locations.missing_files import install_missing_files
    from dam_desktop.ui.marks.install import MarksUI
    from dam_desktop.ui.sidecars.install import install_sidecars
    from dam_desktop.ui.tags.tag_ui import install_tag_ui
    from dam_desktop.ui.window.damaged_library import install_damaged_library_notice
    from dam_desktop.ui.window.shared_status import install_shared_status

    install_damaged_library_notice(window)
    install_shared_status(window)
    install_scheduled_backup(window)
    if not window.client.world.damage.damaged:  # read-only: the pipeline's writes would only fail
        install_background_work(window)
    install_tag_ui(window)
    MarksUI(window)  # after the tags: the inspector shows tags, then marks
    install_missing_files(window)
    install_sidecars(window)
    window.importer.resume_interrupted()
    if not model_features_available():
        window.statusBar().showMessage(MODEL_FEATURES_UNAVAILABLE_NOTE, 15_000)
        return
    from dam_desktop.ui.model_tags.model_tags_view import install_model_tags_view
    from dam_desktop.ui.semantic.semantic_search import install_semantic_search

    install_semantic_search(window)
    install_model_tags_view(window)


class AppController:
    """Owns the window and its world; switches libraries from the Library menu."""

    def __init__(self) -> None:
        self.window: MainWindow | None = None
        self.client: WorldClient | None = None
        self._handoff: HandoffServer | None = None  # listens once the first grid has painted
        self._ready = False  # the world is open and the room's UI installed: imports may start
        self._waiting_files: list[Path] = []
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._report = os.environ.get(FIRST_PAINT_ENV, "")

    async def start(self, opening: LibraryOpening, files: Sequence[Path] = ()) -> bool:
        """Show the first library's window at once, from the start-up read, then open its world,
        import `files` (those the launch named) and answer later launches' handoffs.

        The world (SQLAlchemy, the library's schema check, systems) opens after the grid has
        painted, so its loading does not compete with the first paint; calls the window makes
        meanwhile wait for it.
        """
        from dam_desktop.ui.world_client import WorldClient

        if opening.error is not None:
            QMessageBox.critical(None, "Cannot open library", str(opening.error))
            return False
        client = WorldClient(
            opening.target or opening.paths.root, store_root=opening.store_root, check_after_paint=True
        )
        window = self._make_window(client)
        self.window, self.client = window, client
        window.show()
        try:
            snapshot = await asyncio.wrap_future(opening.snapshot)
        except Exception:
            # Only a head start: the world lists the library itself once it is open.
            logging.getLogger(__name__).exception("the start-up read failed")
            snapshot = None
        if snapshot is not None and window.show_snapshot(snapshot):
            await _first_paint(window, FIRST_PAINT_WAIT_S)
        # After the first paint (Qt's network module is not on its path): a launch meanwhile finds
        # the library locked and keeps trying the handoff for a few seconds (launch.HANDOFF_WAIT_S).
        self.handoff.listen_for(client.target)
        client.begin_open(opening.lock)
        try:
            await client.wait_open()
        except DamError as exc:
            QMessageBox.critical(window, "Cannot open library", str(exc))
            window.close()
            return False
        from dam_desktop.ui.window.library_menu import remember_library

        remember_library(window.settings, client.target)
        install_room_ui(window)  # it resumes an interrupted import first: files come after it
        self._ready = True
        self._take_files(tuple(files))
        if not window.model.loaded_once:
            await window.refresh()
        return True

    async def open(self, library: Path | str) -> bool:
        """Switch to another library (a folder, or a shared library's URL): its world opens before
        the current window goes. The new window is built meanwhile, on this thread, while the
        world opens on its own; it is shown only once the world is open, and dropped if it fails."""
        from dam_desktop.ui.window.store_mapping import store_mount
        from dam_desktop.ui.world_client import WorldClient

        store = store_mount(QSettings(), library, None) if isinstance(library, str) else None
        client = WorldClient(library, store_root=store, check_after_paint=True)
        client.begin_open()
        window = self._make_window(client)
        try:
            await client.wait_open()
        except DamError as exc:
            await window.shutdown()
            window.deleteLater()
            QMessageBox.critical(self.window, "Cannot open library", str(exc))
            return False
        old_window, old_client = self.window, self.client
        self._adopt(window, client)
        install_room_ui(window)
        self.handoff.listen_for(client.target)
        window.show()
        if old_window is not None and old_client is not None:
            old_window.close()
            await old_window.shutdown()
            await old_client.close()
            old_window.deleteLater()
        await window.refresh()
        return True

    def _take_files(self, files: tuple[Path, ...]) -> bool:
        """Files another launch handed over (or this one named): imported into the window, which
        comes to the front; held until the world is open."""
        from dam_desktop.ui.window.handoff_server import bring_to_front

        window = self.window
        if window is None:
            return False
        bring_to_front(window)
        self._waiting_files.extend(files)
        if self._ready and self._waiting_files:
            window.importer.enqueue(self._waiting_files)
            self._waiting_files = []
        return True

    def _make_window(self, client: WorldClient) -> MainWindow:
        from dam_desktop.ui.window.main_window import MainWindow

        window = MainWindow(client)
        window.library_requested.connect(lambda path: asyncio.ensure_future(self.open(path)))
        if self._report:
            window.first_painted.connect(self._on_first_paint)
        return window

    def _adopt(self, window: MainWindow, client: WorldClient) -> None:
        """`window` becomes the app's, and its library the most recent one (once it opened)."""
        from dam_desktop.ui.window.library_menu import remember_library

        self.window, self.client = window, client
        remember_library(window.settings, client.target)

    def _on_first_paint(self) -> None:
        shown = self.window.grid.model().rowCount() if self.window is not None else 0
        print(
            f"first-paint {process_seconds():.3f} rss-mb {_rss_mb():.1f} assets {shown}",
            file=sys.stderr,
            flush=True,
        )
        if self._report == "quit" and self.window is not None:
            self.window.close()

    def on_last_window_closed(self) -> None:
        if not self.closed.done():
            self.closed.set_result(None)

    @property
    def handoff(self) -> HandoffServer:
        if self._handoff is None:
            from dam_desktop.ui.window.handoff_server import HandoffServer

            self._handoff = HandoffServer(self._take_files)
        return self._handoff

    async def shutdown(self) -> None:
        if self._handoff is not None:
            self._handoff.close()
        if self.window is not None:
            await self.window.shutdown()
        if self.client is not None:
            await self.client.close()
        if "dam_desktop.ml.model_thread" in sys.modules:
            from dam_desktop.ml.model_thread import shutdown_model_thread

            # Queued inference is dropped; a batch already running finishes as the process exits.
            shutdown_model_thread(wait=False)


async def _first_paint(window: MainWindow, timeout: float) -> None:
    """Until the grid has painted once (or `timeout` passed: a minimised window never paints)."""
    painted = asyncio.get_running_loop().create_future()

    def done() -> None:
        if not painted.done():
            painted.set_result(None)

    window.first_painted.connect(done)
    if window.grid.painted_once:
        return
    try:
        await asyncio.wait_for(painted, timeout)
    except TimeoutError:
        pass
    finally:
        window.first_painted.disconnect(done)


async def _run_window(opening: LibraryOpening, files: Sequence[Path]) -> int:
    controller = AppController()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    app.lastWindowClosed.connect(controller.on_last_window_closed)
    if not await controller.start(opening, files):
        await controller.shutdown()
        return 1
    await controller.closed
    await controller.shutdown()
    return 0


def run_gui(
    library: Path | str, qt_args: Sequence[str], opening: LibraryOpening, files: Sequence[Path] = ()
) -> int:
    """Run the window on `library`, from the head start `launch.start_gui` made (`opening`), and
    import `files` into it."""
    import qasync

    app = create_application(qt_args)
    status: int = qasync.run(_run_window(opening, files))
    del app
    return status
