"""Zoomed past the 256 px thumbnail, the grid shows sharper tiles: a 768 px thumbnail made from
the original in the background, kept in the store next to the 256 px one, and used once ready."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from dam_desktop.ui.window.main_window import MainWindow
from dam_desktop.use_cases.imports import import_files
from tests.ui_helpers import run


def _photo(path: Path, size: tuple[int, int]) -> None:
    picture = Image.new("RGB", size, (30, 60, 90))
    draw = ImageDraw.Draw(picture)
    for x in range(0, size[0], 8):  # fine stripes: what a 256 px thumbnail blurs away
        draw.line([(x, 0), (x, size[1])], fill=(240, 220, 40), width=2)
    picture.save(path, quality=92)


def test_a_zoom_above_256_shows_the_large_thumbnail_once_it_is_made(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    _photo(drop / "stripes.jpg", (1600, 1200))
    Image.new("RGB", (120, 90), (200, 30, 30)).save(drop / "tiny.png")
    run(qtbot, ui_client.call(lambda world: import_files(world, [drop])), 60_000)
    run(qtbot, ui_window.reload())
    grid = ui_window.grid
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 2 and not ui_window.model.loading)
    ids = ui_window.model.ids.tolist()
    infos = run(qtbot, ui_window.model.fetch_infos(ids))
    big = next(eid for eid in ids if infos[eid].filename == "stripes.jpg")
    tiny = next(eid for eid in ids if infos[eid].filename == "tiny.png")
    cache = grid.thumbnails.cache

    # At the usual zoom the 256 px thumbnail is shown, and no large one is made.
    grid.set_tile_size(200)
    qtbot.waitUntil(lambda: cache.peek(big) is not None and cache.peek(big).decoded_for == 200)  # type: ignore[union-attr]
    assert not infos[big].large_thumbnail_path.exists()

    # Zoomed to 512: the 256 px one is drawn meanwhile, then the 768 px one replaces it.
    grid.set_tile_size(512)
    qtbot.waitUntil(lambda: infos[big].large_thumbnail_path.is_file(), timeout=30_000)
    qtbot.waitUntil(lambda: (entry := cache.peek(big)) is not None and entry.pixmap.width() > 256)
    assert cache.peek(big).pixmap.width() == 512  # type: ignore[union-attr]
    assert infos[big].large_thumbnail_path.parent == infos[big].thumbnail_path.parent
    with Image.open(infos[big].large_thumbnail_path) as large:
        assert large.size == (768, 576)

    # A picture smaller than the usual thumbnail gets none: its own pixels are already there.
    qtbot.waitUntil(lambda: tiny in grid.thumbnails.no_large)
    assert not infos[tiny].large_thumbnail_path.exists()
    assert cache.peek(tiny) is not None and cache.peek(tiny).pixmap.width() == 120  # type: ignore[union-attr]

    # Back at the usual zoom, the usual thumbnail again.
    grid.set_tile_size(128)
    qtbot.waitUntil(lambda: (entry := cache.peek(big)) is not None and entry.decoded_for == 128)
    assert cache.peek(big).pixmap.width() == 128  # type: ignore[union-attr]
