"""Make the screenshots of issue 19's new sorts and large thumbnails from real files:

    xvfb-run -a -s '-screen 0 1600x1000x24' .venv/bin/python scripts/sorting_screenshots.py

(under Xvfb: the open sort box is a pop-up of its own, photographed from the screen). The files are
those of `everyday_screenshots.py` (Debian's photos, icons and sounds), imported the same way.

- docs/screenshots/sort-menu.png: the sort box open on date added, name, size, type, date taken,
  dimensions, duration and rating; the grid behind it by dimensions, largest first.
- docs/screenshots/grid-zoomed-large.png: the grid zoomed to 512 px, its photos drawn from their
  768 px thumbnails (made when the zoom first wanted them), by dimensions.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dam_desktop.ui.window.main_window import MainWindow

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from everyday_screenshots import build_corpus, fill_library, named_assets  # noqa: E402
from screenshot_kit import capture, run_shooting, show_window, wait_for  # noqa: E402  (beside this script)


def sharp_tiles_shown(window: MainWindow) -> bool:
    """Every visible photo drawn from its large thumbnail (or known to have none)."""
    grid, model = window.grid, window.model
    rows = grid.visible_rows()
    shown = model.ids_in(rows.start, rows.stop)
    if model.loading or not len(shown):
        return False
    for entity_id in shown:
        info = model.info(entity_id)
        entry = grid.thumbnails.cache.peek(entity_id)
        if info is None or entry is None:
            return False
        large = info.asset_type == "image" and entity_id not in grid.thumbnails.no_large
        if large and entry.pixmap.width() <= 256 and entry.pixmap.height() <= 256:
            return False
    return True


async def shoot(library: Path, corpus: Path, out: Path) -> None:
    from dam_desktop.services.search.sorting import SortKey
    from dam_desktop.ui.world_client import WorldClient

    fresh = not library.exists()
    client = await WorldClient.open(library)
    await (fill_library(client, corpus) if fresh else client.call(named_assets))
    window = await show_window(client, library)
    window.splitter.setSizes([230, 960, 410])
    grid, model = window.grid, window.model

    await window.apply_search("-set:icons")
    window.controls.show_text("-set:icons")
    window.sort_box.setCurrentIndex(list(SortKey).index(SortKey.DIMENSIONS))
    await wait_for(lambda: window.sort is SortKey.DIMENSIONS and not model.loading and not window.tasks)

    window.splitter.setSizes([200, 1120, 280])
    grid.set_tile_size(512)
    grid.scrollToTop()
    await wait_for(lambda: sharp_tiles_shown(window), timeout=300)
    capture(window, out / "grid-zoomed-large.png")

    window.splitter.setSizes([230, 960, 410])
    grid.set_tile_size(160)
    await wait_for(lambda: not model.loading)
    window.sort_box.showPopup()
    await wait_for(lambda: window.sort_box.view().isVisible())
    capture(window, out / "sort-menu.png")
    window.sort_box.hidePopup()
    await window.shutdown()
    await client.close()


def main() -> None:
    run_shooting(__doc__.splitlines()[0], "dam-sorting-shots-", build_corpus, shoot)


if __name__ == "__main__":
    main()
