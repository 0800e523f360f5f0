"""The Library menu: new, open and recent libraries (kept in QSettings)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMenu, QMessageBox, QStyle, QWidget

from dam_desktop.core.errors import LibraryError
from dam_desktop.core.library_location import display_url, is_server_url
from dam_desktop.use_cases.server_login import keep_server_password

RECENT_KEY = "libraries/recent"
MAX_RECENT = 8


def recent_libraries(settings: QSettings) -> list[Path | str]:
    """Library folders, and shared libraries' URLs (never with a password: see remember_library)."""
    value = settings.value(RECENT_KEY, [])
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []
    return [display_url(item) if is_server_url(item) else Path(item) for item in items if item]


def remember_library(settings: QSettings, library: Path | str) -> None:
    entry: Path | str = display_url(library) if isinstance(library, str) else library
    items = [str(entry)] + [str(p) for p in recent_libraries(settings) if p != entry]
    settings.setValue(RECENT_KEY, items[:MAX_RECENT])


class LibraryMenu(QObject):
    open_requested = Signal(object)  # a library folder (Path) or a shared library's URL (str)

    def __init__(self, window: QWidget, settings: QSettings, current: Path) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.current = current
        self.menu = QMenu("&Library", window)
        style = window.style()
        new = self.menu.addAction(
            style.standardIcon(QStyle.StandardPixmap.SP_FileDialogNewFolder), "&New Library…"
        )
        new.triggered.connect(self._new)
        opener = self.menu.addAction(
            style.standardIcon(QStyle.StandardPixmap.SP_DirOpenIcon), "&Open Library…"
        )
        opener.triggered.connect(self._open)
        self.connect_shared = self.menu.addAction("&Connect to Shared Library…")
        self.connect_shared.triggered.connect(self._connect)
        self.recent_menu = self.menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._fill_recent()
        self.menu.addSeparator()
        self.reveal = self.menu.addAction("Show Library Folder")

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        entries = [p for p in recent_libraries(self.settings) if p != self.current]
        for path in entries:
            if isinstance(path, str):
                self._add_recent_url(path)
                continue
            # Libraries are often all called "library": the name, then where it is.
            action = QAction(f"{path.name or path}  —  {path.parent}", self.recent_menu)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.setEnabled(path.exists())
            action.triggered.connect(lambda _checked=False, chosen=path: self.open_requested.emit(chosen))
            self.recent_menu.addAction(action)
        self.recent_menu.setEnabled(bool(entries))

    def _add_recent_url(self, url: str) -> None:
        action = QAction(f"{url}  —  shared", self.recent_menu)
        action.setToolTip(url)
        action.setStatusTip(url)
        action.triggered.connect(lambda _checked=False, chosen=url: self.open_requested.emit(chosen))
        self.recent_menu.addAction(action)

    def _new(self) -> None:
        folder, _ = QFileDialog.getSaveFileName(
            self.window, "New library — choose a name and where to keep it", str(self.current.parent)
        )
        if folder:
            self.open_requested.emit(Path(folder))

    def _connect(self) -> None:
        title = "Connect to Shared Library"
        url, ok = QInputDialog.getText(
            self.window,
            title,
            "The studio's library on its PostgreSQL server, as a URL\n(postgresql://user@server/database):",
        )
        url = url.strip()
        if not ok or not url:
            return
        if not is_server_url(url):
            QMessageBox.warning(self.window, title, f"“{url}” is not a postgresql:// URL.")
            return
        password, ok = QInputDialog.getText(
            self.window,
            title,
            f"Password for {display_url(url)}\n"
            "(kept in this computer's keyring; leave empty to use ~/.pgpass):",
            QLineEdit.EchoMode.Password,
        )
        if not ok:
            return
        try:
            url = keep_server_password(url, password)
        except LibraryError as exc:
            QMessageBox.warning(self.window, title, str(exc))
            return
        self.open_requested.emit(url)

    def _open(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self.window, "Open library folder", str(self.current.parent)
        )
        if folder:
            self.open_requested.emit(Path(folder))
