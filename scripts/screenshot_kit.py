"""What the screenshot scripts share: a window on an imported library, waiting for it to settle,
selecting an asset by name, capturing, a library's file names, and the command line that builds a
corpus and runs a shooting coroutine under qasync."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from dam_desktop.core.world import World
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.world_client import WorldClient

REPO = Path(__file__).resolve().parent.parent


async def wait_for(condition: Callable[[], bool], timeout: float = 120.0, settle: float = 0.8) -> None:
    """Let results, thumbnails and pop-ups arrive (the window never blocks; this only waits), then
    `settle` seconds more for the last frames (tiles fade in, pop-ups find their place)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        if loop.time() > end:
            raise TimeoutError("the window did not reach the state to photograph")
        await asyncio.sleep(0.05)
    await asyncio.sleep(settle)


def capture(widget: QWidget, path: Path) -> None:
    """The whole screen under Xvfb (menus and pop-ups included), else the widget alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.environ.get("DISPLAY"):
        subprocess.run(["import", "-window", "root", str(path)], check=True)
    else:
        widget.grab().save(str(path))
    print(f"wrote {path}")


async def open_window(library: Path, folder: Path, zoom: int = 190) -> tuple[WorldClient, MainWindow]:
    """Import `folder` into `library`, run the background stages to the end, and show the window
    on it at 1600x1000, as the app does once the world is open."""
    from dam_desktop.services.ingest.import_service import import_paths
    from dam_desktop.ui.world_client import WorldClient
    from dam_desktop.use_cases.pipeline import run_stages

    client = await WorldClient.open(library)
    report = await client.call(lambda world: import_paths(world, [folder]))
    assert not report.failed, report.failed
    await client.call(lambda world: run_stages(world))
    return client, await show_window(client, library, zoom)


async def show_window(client: WorldClient, library: Path, zoom: int | None = None) -> MainWindow:
    """The main window on the open library at 1600x1000 in the screen's corner, with the rooms the
    app installs, its settings kept beside the library, showing the library's first result."""
    from PySide6.QtCore import QSettings

    from dam_desktop.app import install_room_ui
    from dam_desktop.ui.window.main_window import MainWindow

    settings = QSettings(str(library / "screenshot-settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(client, settings)
    window.move(0, 0)
    window.resize(1600, 1000)
    window.show()
    install_room_ui(window)
    if zoom is not None:
        window.toolbar.zoom_slider.setValue(zoom)
    await window.refresh()
    return window


def grid_settled(window: MainWindow, first: int | None = None) -> bool:
    """The result is listed and every tile (or the `first` ones) shows its thumbnail."""
    model = window.model
    shown = model.rowCount() if first is None else min(model.rowCount(), first)
    return not model.loading and all(window.grid.thumbnail_shown(e) for e in model.ids_in(0, shown))


def row_named(window: MainWindow, name: str) -> int:
    model = window.model
    return next(
        r
        for r in range(model.rowCount())
        if (info := model.info(model.entity_id(r))) is not None and info.filename == name
    )


async def select_named(window: MainWindow, name: str, settle: float = 0.8) -> None:
    """Make the asset called `name` the current one and wait until the inspector shows it."""
    from PySide6.QtCore import QItemSelectionModel

    window.grid.selectionModel().setCurrentIndex(
        window.model.index(row_named(window, name), 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    inspector = window.inspector
    await wait_for(
        lambda: inspector.details is not None and inspector.details.filename == name, settle=settle
    )


async def file_ids(world: World) -> dict[str, int]:
    """{file name: entity id} of the library's assets (trash left out)."""
    from dam_desktop.use_cases.library import iter_assets

    found: dict[str, int] = {}
    async for page in iter_assets(world):
        found.update({filename: entity_id for entity_id, _kind, filename in page})
    return found


def run_shooting(
    description: str,
    prefix: str,
    build_corpus: Callable[[Path], Path],
    shoot: Callable[[Path, Path, Path], Awaitable[None]],
) -> None:
    """The scripts' command line: `--out`, `--corpus` (made before: no download), `--library`
    (kept, reused when it exists); then `shoot(library, corpus, out)` in a Qt application."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--corpus", type=Path, help="a corpus folder made before (skips the download)")
    parser.add_argument("--library", type=Path, help="keep the library here (reused when it exists)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        work = Path(tmp)
        corpus = args.corpus or build_corpus(work)
        run_in_app(shoot(args.library or work / "library", corpus, args.out))


def run_in_app(shooting: Coroutine[Any, Any, None]) -> None:
    """Run `shooting` to its end on a qasync loop over the app's QApplication (its style, fonts
    and icons, as the window has them)."""
    import qasync

    from dam_desktop.app import create_application

    app = create_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(shooting)
