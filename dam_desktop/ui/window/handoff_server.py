"""The running window's end of the single-instance handoff (`dam_desktop.handoff`): it listens on
its library's socket name, and on the per-user one while no other window of this user has it; files
that a second launch hands over are imported into the current window, which comes to the front."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

from dam_desktop.handoff import (
    ACCEPTED,
    CONNECT_TIMEOUT_MS,
    MAX_MESSAGE_BYTES,
    USER_KEY,
    Handoff,
    library_key,
    socket_name,
)

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow

log = logging.getLogger(__name__)


def _someone_listens(name: str) -> bool:
    probe = QLocalSocket()
    probe.connectToServer(name)
    live = probe.waitForConnected(CONNECT_TIMEOUT_MS)
    probe.abort()
    return live


def _listen(server: QLocalServer, name: str) -> bool:
    """Listen on `name`, taking it over from a crashed window's socket file; False when a live
    window has it."""
    server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
    if server.listen(name):
        return True
    if server.serverError() != QAbstractSocket.SocketError.AddressInUseError or _someone_listens(name):
        return False
    QLocalServer.removeServer(name)  # nobody answers there: a stale file
    return server.listen(name)


def bring_to_front(window: MainWindow) -> None:
    window.setWindowState(
        (window.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
    )
    window.show()
    window.raise_()
    window.activateWindow()


class HandoffServer(QObject):
    """Hands other launches' files to `receive`, which says whether it took them."""

    def __init__(self, receive: Callable[[tuple[Path, ...]], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._receive = receive
        self._library = QLocalServer(self)
        self._user = QLocalServer(self)
        for server in (self._library, self._user):
            server.newConnection.connect(lambda s=server: self._accept(s))

    def listen_for(self, library: Path | str) -> None:
        """Answer launches on `library` (the window switched to it), and all launches without one
        while the per-user name is free."""
        self._library.close()
        if not _listen(self._library, socket_name(library_key(library))):
            log.warning("another window answers launches on %s", library)
        if not self._user.isListening():
            _listen(self._user, socket_name(USER_KEY))

    def close(self) -> None:
        self._library.close()
        self._user.close()

    def _accept(self, server: QLocalServer) -> None:
        while server.hasPendingConnections():
            socket = server.nextPendingConnection()
            socket.setParent(self)
            received = bytearray()
            socket.readyRead.connect(lambda s=socket, buf=received: self._read(s, buf))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket, received: bytearray) -> None:
        received += bytes(socket.readAll().data())
        if len(received) > MAX_MESSAGE_BYTES:
            socket.abort()
            return
        if not received.endswith(b"\n"):
            return
        try:
            taken = self._receive(Handoff.decode(bytes(received)).files)
        except ValueError as exc:
            log.warning("ignored a handoff message: %s", exc)
            taken = False
        socket.write(ACCEPTED if taken else b"no\n")
        socket.flush()
        socket.disconnectFromServer()
