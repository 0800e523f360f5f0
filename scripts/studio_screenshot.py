"""Make the README screenshot of a shared studio library (issue 20), under Xvfb:

    xvfb-run -a -s '-screen 0 2400x1100x24' .venv/bin/python scripts/studio_screenshot.py

A real PostgreSQL server is started in a temp folder (as the test suite does: Debian's
`postgresql` package, `initdb`, a Unix socket), with one shared library on it and its store in a
temp folder. Two windows open that library side by side, each with its own world, connections
and change feed, as two workstations would (here two in one process: the change still travels
through the server's LISTEN/NOTIFY, since each feed ignores only its own name). The left window
already shows the nature pictures; then it imports the abstract ones, and the right window, which
did nothing, shows them arriving: the new tiles at the top of its grid, its count, and in its
status bar "N new assets from <the left window's name>" beside who else is connected.

- docs/screenshots/studio-shared-library.png

The pictures are Debian's wallpapers, as in scripts/search_screenshots.py (its corpus is reused:
`--corpus` a folder it made, or it downloads them with apt-get download).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.screenshot_kit import capture, grid_settled, run_in_app, wait_for  # noqa: E402

WIDTH, HEIGHT = 2400, 1100


def settled(window: MainWindow, count: int) -> bool:
    return window.model.rowCount() == count and grid_settled(window, first=12)


async def shoot(url: str, store: Path, corpus: Path, out: Path, settings_dir: Path) -> None:
    from PySide6.QtCore import QSettings

    from dam_desktop.app import install_room_ui
    from dam_desktop.services.ingest.import_service import import_paths
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.world_client import WorldClient
    from dam_desktop.use_cases.tags import add_tags

    left_client = await WorldClient.open(url, store_root=store)
    first = await left_client.call(lambda world: import_paths(world, [corpus / "nature"]))
    await left_client.call(lambda world: add_tags(world, first.imported, ["set:nature"]))
    right_client = await WorldClient.open(url)

    windows = []
    for n, client in enumerate((left_client, right_client)):
        settings = QSettings(str(settings_dir / f"window{n}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(client, settings)
        window.move(n * WIDTH // 2, 0)
        window.resize(WIDTH // 2 - 4, HEIGHT)
        window.show()
        install_room_ui(window)
        await window.refresh()
        windows.append(window)
    left, right = windows
    before = len(first.imported)
    await wait_for(lambda: settled(left, before) and settled(right, before))

    # The left workstation imports a folder; the right one only watches.
    added = await left_client.call(lambda world: import_paths(world, [corpus / "abstract"]))
    total = before + len(added.imported)
    origin = left_client.world.paths.client
    await wait_for(lambda: settled(right, total) and origin in right.statusBar().currentMessage())
    capture(right, out / "studio-shared-library.png")
    for window in windows:
        await window.shutdown()
    await left_client.close()
    await right_client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--corpus", type=Path, help="a corpus folder search_screenshots.py made before")
    args = parser.parse_args()
    from scripts.search_screenshots import build_corpus
    from tests.pg_server import start_server, unavailable_reason

    reason = unavailable_reason()
    if reason is not None:
        sys.exit(f"studio_screenshot: {reason}")
    server = start_server()
    try:
        with tempfile.TemporaryDirectory(prefix="dam-studio-shot-") as tmp:
            work = Path(tmp)
            corpus = args.corpus or build_corpus(work)
            url = server.new_database("studio", exact=True)
            run_in_app(shoot(url, work / "store", corpus, args.out, work))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
