"""One window per library: a second `dam-desktop [FILE...]` launch hands its files to the window
that is already running, which imports them and comes to the front; the second process then exits.

The window listens on a local socket (`ui.window.handoff_server`) named after the user and its
library, and on a per-user name while it is the first window of this user: files given without
`--library` (a file manager's "Open with") go to whichever window is running, files given with one
to the window on that library. With none listening the launch opens the window itself.

The names are socket files in `$XDG_RUNTIME_DIR` (or the temp folder) on Unix, named pipes on
Windows. A window that crashed leaves its socket file behind; connecting to it is refused at once,
so the launch goes on to open the window, which removes the stale file before it listens.

The message is one line of JSON (`{"files": [...]}`) and the answer one line, `ok`, once the
window has taken the files: the launch exits 0 only when the window has them.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PROTOCOL_VERSION = 1
ACCEPTED = b"ok\n"
CONNECT_TIMEOUT_MS = 500  # a listening window answers the connection at once; a stale file refuses
ANSWER_TIMEOUT_MS = 10_000  # the window's GUI thread may be busy for a moment (a big paint)
MAX_MESSAGE_BYTES = 4 * 1024 * 1024


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return str(os.getuid()) if hasattr(os, "getuid") else "user"


def socket_name(key: str) -> str:
    """The local socket name for `key` ("user", or a library's folder or URL), per user."""
    digest = hashlib.sha256(f"{_user()}\0{key}".encode()).hexdigest()[:20]
    name = f"dam-desktop-{digest}"
    if os.name == "nt":
        return name  # a named pipe: \\.\pipe\<name>
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    folder = Path(runtime) if runtime and Path(runtime).is_dir() else Path(tempfile.gettempdir())
    return str(folder / name)


USER_KEY = "user"


def library_key(library: Path | str) -> str:
    """What names a library's window: its resolved folder, or a shared library's URL."""
    if isinstance(library, Path):
        return str(library.expanduser().resolve())
    return library.strip()


@dataclass(frozen=True)
class Handoff:
    """A launch's files, and whether its window should come to the front."""

    files: tuple[Path, ...]

    def encode(self) -> bytes:
        import json  # not on the launch's path when no window runs

        body = {"version": PROTOCOL_VERSION, "files": [str(path) for path in self.files]}
        return json.dumps(body).encode("utf-8") + b"\n"

    @classmethod
    def decode(cls, line: bytes) -> Handoff:
        """Raises ValueError on anything but this protocol's message."""
        import json

        body = json.loads(line.decode("utf-8"))
        if not isinstance(body, dict) or body.get("version") != PROTOCOL_VERSION:
            raise ValueError("not a dam-desktop handoff")
        files = body.get("files")
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise ValueError("a handoff's files are a list of paths")
        return cls(tuple(Path(f) for f in files))


class HandoffRefused(Exception):
    """A window listens but did not take the files (it hung, or closed meanwhile)."""


def hand_over(names: Sequence[str], files: Sequence[Path]) -> bool:
    """Give `files` (absolute paths; none: only come to the front) to the first running window
    listening on one of `names`. False when none listens; raises HandoffRefused when one was
    reached but did not say it took them."""
    # On Unix a listening window has a socket file: with none there is nobody to ask, and the
    # launch need not load Qt's network module before its own window paints.
    names = [name for name in names if os.name == "nt" or Path(name).exists()]
    if not names:
        return False
    from PySide6.QtNetwork import QLocalSocket

    message = Handoff(tuple(files)).encode()
    for name in names:
        socket = QLocalSocket()
        socket.connectToServer(name)
        if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
            continue  # nobody there, or a crashed window's socket file
        socket.write(message)
        socket.flush()
        answer = b""
        while not answer.endswith(b"\n") and socket.waitForReadyRead(ANSWER_TIMEOUT_MS):
            answer += bytes(socket.readAll().data())
        socket.disconnectFromServer()
        if answer != ACCEPTED:
            raise HandoffRefused("the running dam-desktop window did not take the files")
        return True
    return False
