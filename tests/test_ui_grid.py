"""The thumbnail grid: a library of N shows N tiles and their thumbnails; zoom, sort, keys, selection."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtGui import QColor

from dam_desktop.services.browse import browse_service
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.ui.grid.grid_model import AssetGridModel
from dam_desktop.ui.grid.grid_view import AssetGridView
from dam_desktop.ui.grid.thumbnail_cache import ThumbnailCache
from dam_desktop.ui.grid.thumbnail_loader import ThumbnailLoader
from tests.ui_helpers import add_images, run


def make_grid(qtbot: Any, client: Any) -> AssetGridView:
    model = AssetGridModel(client)
    loader = ThumbnailLoader(workers=2)
    view = AssetGridView(model, loader, ThumbnailCache(64))
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    return view


def close_grid(qtbot: Any, view: AssetGridView) -> None:
    run(qtbot, view.grid_model.stop())
    view.loader.shutdown()


def all_assets(sort: SortKey = SortKey.ADDED, descending: bool = True) -> Any:
    async def query(world: Any) -> Any:
        async with world.session() as session:
            return await browse_service.asset_ids(session, sort, descending=descending)

    return query


def pixel_at_tile_centre(view: AssetGridView, row: int) -> QColor:
    image = view.viewport().grab().toImage()
    rect = view.cell_rect(row)
    centre = QPoint(rect.left() + 8 + view.tile_size // 2, rect.top() + 8 + view.tile_size // 2)
    return image.pixelColor(centre)


def close_to(colour: QColor, rgb: tuple[int, int, int]) -> bool:
    return all(
        abs(a - b) <= 12 for a, b in zip((colour.red(), colour.green(), colour.blue()), rgb, strict=True)
    )


def test_a_library_of_n_shows_n_tiles_and_their_thumbnails(
    qtbot: Any, ui_client: Any, tmp_path: Path
) -> None:
    made = run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 30)))
    view = make_grid(qtbot, ui_client)
    assert run(qtbot, view.grid_model.load(all_assets()))
    assert view.model().rowCount() == 30
    newest_first = [asset.entity_id for asset in reversed(made)]
    assert view.grid_model.ids.tolist() == newest_first

    first_visible = list(view.visible_rows())
    qtbot.waitUntil(lambda: all(view.thumbnail_shown(view.grid_model.entity_id(r)) for r in first_visible))
    by_id = {asset.entity_id: asset for asset in made}
    for row in first_visible[:3]:
        assert close_to(pixel_at_tile_centre(view, row), by_id[view.grid_model.entity_id(row)].colour)
    assert view.grid_model.info_at(0) is not None
    assert view.grid_model.info_at(0).filename == "image-0029.png"
    close_grid(qtbot, view)


def test_zoom_changes_columns_and_sort_by_name_reorders(qtbot: Any, ui_client: Any, tmp_path: Path) -> None:
    run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 12)))
    view = make_grid(qtbot, ui_client)
    run(qtbot, view.grid_model.load(all_assets(SortKey.NAME, descending=False)))
    names_first = view.grid_model.ids.tolist()
    view.set_tile_size(64)
    small_columns = view.columns
    view.set_tile_size(400)
    assert view.columns < small_columns
    view.set_tile_size(10_000)
    assert view.tile_size == 512
    run(qtbot, view.grid_model.load(all_assets(SortKey.NAME, descending=True)))
    assert view.grid_model.ids.tolist() == list(reversed(names_first))
    close_grid(qtbot, view)


def test_keyboard_shift_and_rubber_band_selection(qtbot: Any, ui_client: Any, tmp_path: Path) -> None:
    run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 20)))
    view = make_grid(qtbot, ui_client)
    view.set_tile_size(64)
    run(qtbot, view.grid_model.load(all_assets()))
    view.setFocus()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cell_rect(0).center())
    assert view.currentIndex().row() == 0
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.currentIndex().row() == 1
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.currentIndex().row() == 1 + view.columns
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    selected = sorted(i.row() for i in view.selectionModel().selectedIndexes())
    assert selected == [1 + view.columns, 2 + view.columns]

    qtbot.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        view.cell_rect(0).center(),
    )
    assert 0 in {i.row() for i in view.selectionModel().selectedIndexes()}

    # A rubber band from the margin over the first two tiles of the first two lines.
    band = view.cell_rect(0).united(view.cell_rect(view.columns + 1))
    view.setSelection(band, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    rows = sorted(i.row() for i in view.selectionModel().selectedIndexes())
    assert rows == [0, 1, view.columns, view.columns + 1]
    close_grid(qtbot, view)


def test_the_badge_names_the_content_not_the_file_name(qtbot: Any, ui_client: Any, tmp_path: Path) -> None:
    """A PNG saved as `.jpg` gets a PNG badge; a real JPEG named `.jpeg` keeps its own spelling."""
    from dam_desktop.use_cases.imports import import_files
    from tests.import_media_factory import make_jpeg, make_png

    png = make_png(tmp_path / "in" / "screenshot.png", (300, 200))
    disguised = png.rename(png.with_name("screenshot.jpg"))
    photo = make_jpeg(tmp_path / "in" / "photo.jpeg", (300, 200))
    report = run(qtbot, ui_client.call(lambda world: import_files(world, [disguised, photo])))
    assert len(report.imported) == 2
    view = make_grid(qtbot, ui_client)
    view.set_tile_size(160)
    assert run(qtbot, view.grid_model.load(all_assets()))
    qtbot.waitUntil(lambda: all(view.grid_model.info_at(r) is not None for r in range(2)))
    view.viewport().grab()  # paints every visible tile, badges included
    painted = set(view.delegate._badges)
    assert painted == {"PNG", "JPEG"}, painted
    close_grid(qtbot, view)


def test_a_selection_larger_than_the_facts_the_grid_keeps_gets_every_assets_file(
    qtbot: Any, ui_client: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """The grid keeps tile facts for a few screens only; an action over a bigger selection (copy,
    drag, open) still gets each asset's name and file, read for it."""
    from dam_desktop.ui.grid import grid_model

    monkeypatch.setattr(grid_model, "MAX_INFOS", 5)
    made = run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 12)))
    view = make_grid(qtbot, ui_client)
    assert run(qtbot, view.grid_model.load(all_assets()))
    ids = view.grid_model.ids_in(0, 12)

    infos = run(qtbot, view.grid_model.fetch_infos(ids))

    assert sorted(info.filename for info in infos.values()) == [f"image-{n:04d}.png" for n in range(12)]
    assert {eid: info.file_path for eid, info in infos.items()} == {a.entity_id: a.path for a in made}
    assert len(view.grid_model.known_ids()) <= 5
    close_grid(qtbot, view)
