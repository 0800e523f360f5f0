"""The status bar of a window on a shared (studio) library.

A permanent label says the library is shared and who else has it open (asked of the server every
few seconds); each change another workstation commits is announced as it arrives ("3 new assets
from host-4242"), beside the grid refreshing the rows it names; when the server cannot be reached
the label says so, in red, until it is back (the world's calls fail with a message meanwhile, and
the grid keeps what it has loaded).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel

from dam_desktop.core.events import WorldChanged
from dam_desktop.ui.window.status_bar import FAILURE_STYLE

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow

PEERS_EVERY_MS = 5000
ANNOUNCE_MS = 10_000


def describe_peers(peers: list[str]) -> str:
    if not peers:
        return "Shared library · no one else connected"
    shown = ", ".join(peers[:3]) + (f" and {len(peers) - 3} more" if len(peers) > 3 else "")
    return f"Shared library · {len(peers)} other{'s' if len(peers) > 1 else ''} connected: {shown}"


def describe_change(change: WorldChanged) -> str | None:
    """What another workstation's change says to this window's user, or None for its own."""
    if not change.origin:
        return None
    n = len(change.entity_ids)
    if change.added:
        return f"{n} new asset{'s' if n != 1 else ''} from {change.origin}"
    if change.removed:
        return f"{change.origin} removed {n} asset{'s' if n != 1 else ''}"
    what = ", ".join(sorted(change.components)) or "assets"
    return f"{change.origin} changed {what} of {n} asset{'s' if n != 1 else ''}" if n else None


class SharedLibraryStatus(QObject):
    # Emitted on the world thread; delivered queued on the GUI thread.
    connection = Signal(bool)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.peers: list[str] = []
        self.reachable = True
        self.label = QLabel(describe_peers([]), window)
        self.label.setObjectName("sharedLibraryStatus")
        window.statusBar().addPermanentWidget(self.label)
        self.connection.connect(self._on_connection, Qt.ConnectionType.QueuedConnection)
        window.client.world.on_server_connection(self.connection.emit)
        window.client.changes.changed.connect(self._on_change)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh_peers)
        self.timer.start(PEERS_EVERY_MS)
        self.refresh_peers()

    def refresh_peers(self) -> None:
        self.window.tasks.spawn(self._read_peers())

    async def _read_peers(self) -> None:
        from dam_desktop.use_cases.library import connected_peers

        self.peers = await self.window.client.call(connected_peers)
        self._show()

    def _show(self) -> None:
        if self.reachable:
            self.label.setText(describe_peers(self.peers))
            self.label.setStyleSheet("")
        else:
            self.label.setText("Shared library · server unreachable: nothing can be saved until it is back")
            self.label.setStyleSheet(FAILURE_STYLE)

    def _on_connection(self, connected: bool) -> None:
        self.reachable = connected
        self._show()
        if connected and self.window.read_failure.reason is not None:
            self.window.tasks.spawn(self.window.reload())  # what could not be read while it was away

    def _on_change(self, change: WorldChanged) -> None:
        text = describe_change(change)
        if text is not None:
            self.window.statusBar().showMessage(text, ANNOUNCE_MS)


def install_shared_status(window: MainWindow) -> SharedLibraryStatus | None:
    if not window.client.is_shared:
        return None
    status = SharedLibraryStatus(window)
    window.shared_status = status  # type: ignore[attr-defined]
    return status
