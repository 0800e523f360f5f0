"""The window follows the world's change events: an edit made anywhere (here through a use case,
as the CLI or a background stage would) shows in the tag sidebar, the inspector's chips, the grid's
result and its tiles, with no refresh wired by hand."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtCore import QItemSelectionModel

from dam_desktop.core.events import WorldChanged
from dam_desktop.ui.tags.tag_ui import install_tag_ui
from dam_desktop.ui.window.main_window import MainWindow
from dam_desktop.use_cases import tags as tag_cases
from tests.ui_helpers import add_images, run


def _select_row(window: MainWindow, row: int) -> None:
    window.grid.selectionModel().select(
        window.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )


def test_tagging_through_a_use_case_updates_the_sidebar_count_and_the_chips(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    made = run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 3, thumbnails=False)))
    ui = install_tag_ui(ui_window)
    run(qtbot, ui_window.reload())
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 3)
    first = ui_window.model.entity_id(0)
    _select_row(ui_window, 0)
    qtbot.waitUntil(lambda: ui.editor.entity_ids == [first])
    assert ui.editor.chip_names() == []

    run(qtbot, ui_client.call(lambda world: tag_cases.add_tags(world, [first], ["sunset"])))
    qtbot.waitUntil(lambda: ui.editor.chip_names() == [("sunset", True)])
    qtbot.waitUntil(lambda: [(c.name, c.count) for c in ui.sidebar.counts] == [("sunset", 1)])

    others = [m.entity_id for m in made if m.entity_id != first]
    run(qtbot, ui_client.call(lambda world: tag_cases.add_tags(world, others, ["sunset"])))
    qtbot.waitUntil(lambda: [(c.name, c.count) for c in ui.sidebar.counts] == [("sunset", 3)])

    run(qtbot, ui_client.call(lambda world: tag_cases.rename_tag(world, "sunset", "dusk")))
    qtbot.waitUntil(lambda: ui.editor.chip_names() == [("dusk", True)])
    qtbot.waitUntil(lambda: [(c.name, c.count) for c in ui.sidebar.counts] == [("dusk", 3)])


def test_a_tag_query_result_follows_tags_added_elsewhere(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    made = run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 4, thumbnails=False)))
    ids = [m.entity_id for m in made]
    run(qtbot, ui_client.call(lambda world: tag_cases.add_tags(world, ids[:1], ["cat"])))
    run(qtbot, ui_window.apply_search("cat"))
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 1)

    run(qtbot, ui_client.call(lambda world: tag_cases.add_tags(world, ids[1:3], ["cat"])))
    qtbot.waitUntil(lambda: sorted(ui_window.model.ids.tolist()) == sorted(ids[:3]))
    # The label follows the new rows on the loop's next turn (the model's reset settles first).
    qtbot.waitUntil(lambda: "3 of 4 assets" in ui_window.count_label.text())


def test_a_thumbnail_change_repaints_those_tiles(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    made = run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 2, thumbnails=False)))
    run(qtbot, ui_window.reload())
    grid = ui_window.grid
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 2)
    qtbot.waitUntil(lambda: all(m.entity_id in grid.thumbnails.missing for m in made))
    assert not any(grid.thumbnail_shown(m.entity_id) for m in made)

    # What the thumbnail stage does: write the files, then say which assets have new thumbnails.
    for m in made:
        thumb = ui_client.paths.thumbnail_path(m.sha256_hex)
        thumb.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (256, 160), m.colour).save(thumb, "WEBP")

    async def thumbnails_made(world: Any) -> None:
        world.notify_changed(WorldChanged.of([m.entity_id for m in made], "thumbnail"))

    run(qtbot, ui_client.call(thumbnails_made))
    qtbot.waitUntil(lambda: all(grid.thumbnail_shown(m.entity_id) for m in made))


def test_a_selection_made_while_a_reload_runs_stays_once_its_result_shows(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    """A change event's reload may still be reading when the user presses Select All: the new
    result must keep that selection, not the one of the moment the reload began (which left the
    next action, Restore or Remove, with nothing to act on)."""
    run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 3, thumbnails=False)))
    run(qtbot, ui_window.reload())
    _select_row(ui_window, 0)
    qtbot.waitUntil(lambda: ui_window.selected_ids() == [ui_window.model.entity_id(0)])

    # The user selects all while a reload's query is held up by the world (a long write).
    _while_a_reload_reads(qtbot, ui_window, ui_client, ui_window.grid.selectAll)
    assert sorted(ui_window.selected_ids()) == sorted(ui_window.model.ids.tolist())
    qtbot.waitUntil(lambda: "3 selected" in ui_window.count_label.text())

    # And the other way: what the user leaves out while a reload runs stays out.
    _while_a_reload_reads(qtbot, ui_window, ui_client, ui_window.grid.clearSelection)
    assert ui_window.selected_ids() == []


def _while_a_reload_reads(qtbot: Any, window: MainWindow, client: Any, act: Callable[[], object]) -> None:
    """Hold the world busy, start a reload, `act` while its query waits, then let it finish."""
    world_free = threading.Event()

    async def busy(world: Any) -> None:
        world_free.wait(30)

    holding = asyncio.get_event_loop().create_task(client.call(busy))
    reload = window.tasks.spawn(window.reload())
    qtbot.waitUntil(lambda: window.model.loading)
    act()
    world_free.set()
    qtbot.waitUntil(lambda: reload.done() and holding.done())
    reload.result()
