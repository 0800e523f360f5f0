"""Find Similar on an image in the window, with no model weights: the grid ranks images only, the
original first, and the header says the wavelet signature ranked them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dam_desktop.ui.semantic.semantic_search import install_semantic_search
from dam_desktop.ui.window.main_window import MainWindow
from tests.test_semantic_ui import grid_rows, select_row
from tests.ui_helpers import run
from tests.wallpaper_fixtures import WallpaperLibrary, wallpaper_of


def test_find_similar_on_an_image_names_the_wavelet_signature_and_ranks_images_only(
    wallpaper_library: WallpaperLibrary, qtbot: Any, ui_window: MainWindow
) -> None:
    install_semantic_search(ui_window)
    copy_row = next(
        n for n, row in enumerate(grid_rows(qtbot, ui_window)) if row[1] == "debian-softwaves.crop5.jpg"
    )
    select_row(ui_window, copy_row)
    run(qtbot, ui_window._run_action_by_key("find-similar"), timeout=60_000)
    qtbot.waitUntil(lambda: ui_window.ranked is not None and ui_window.banner.isVisible(), timeout=30_000)
    assert ui_window.banner.label.text() == (
        "Similar to debian-softwaves.crop5.jpg — visual descriptor (no model weights)"
    )
    rows = grid_rows(qtbot, ui_window)
    assert len(rows) == len(wallpaper_library.ids) - 1
    names = [name for _, name, _ in rows]
    others = [n for n in names if wallpaper_of(n) != "debian-softwaves" or n == "debian-softwaves.jpg"]
    assert others[0] == "debian-softwaves.jpg"
    folder = os.environ.get("DAM_SCREENSHOTS")
    if folder:
        ui_window.grab().save(str(Path(folder) / "find-similar-image.png"))
