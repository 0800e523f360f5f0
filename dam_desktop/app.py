"""The desktop app: QApplication, a qasync event loop on the GUI thread, and the world thread."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from dam_desktop import __version__
from dam_desktop.core.errors import DamError
from dam_desktop.settings import APPLICATION_NAME, ORGANIZATION_NAME, default_library_path


def create_application(qt_args: Sequence[str] = ()) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication([sys.argv[0], *qt_args])
    app.setOrganizationName(ORGANIZATION_NAME)
    app.setApplicationName(APPLICATION_NAME)
    app.setApplicationDisplayName("dam-desktop")
    app.setApplicationVersion(__version__)
    return app


async def _run_window(library: Path) -> int:
    from dam_desktop.ui.main_window import MainWindow
    from dam_desktop.ui.world_client import WorldClient

    try:
        client = await WorldClient.open(library)
    except DamError as exc:
        QMessageBox.critical(None, "Cannot open library", str(exc))
        return 1
    window = MainWindow(client)
    window.show()
    closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def on_last_window_closed() -> None:
        if not closed.done():
            closed.set_result(None)

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.lastWindowClosed.connect(on_last_window_closed)
    await window.refresh()
    await closed
    await client.close()
    return 0


def run_gui(library: str | None, qt_args: Sequence[str] = ()) -> int:
    import qasync

    app = create_application(qt_args)
    library_path = Path(library).expanduser() if library else default_library_path()
    status: int = qasync.run(_run_window(library_path))
    del app
    return status
