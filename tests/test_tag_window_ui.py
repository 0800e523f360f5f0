"""The tag widgets installed in the main window: select tiles, tag them, filter from the sidebar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel

from dam_desktop.ui.tags.tag_ui import install_tag_ui
from dam_desktop.ui.window.main_window import MainWindow
from tests.ui_helpers import add_images, run


def test_tag_a_selection_then_filter_by_it(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 5, thumbnails=False)))
    ui = install_tag_ui(ui_window)
    run(qtbot, ui_window.reload())
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 5)

    model = ui_window.grid.model()
    ui_window.grid.selectionModel().select(
        QItemSelection(model.index(0, 0), model.index(1, 0)), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    qtbot.waitUntil(lambda: len(ui.editor.entity_ids) == 2)
    chosen = set(ui.editor.entity_ids)
    ui.editor.add_tags(["favourite"])
    run(qtbot, ui.editor.wait_idle())
    assert ui.editor.chip_names() == [("favourite", True)]
    qtbot.waitUntil(lambda: [(c.name, c.count) for c in ui.sidebar.counts] == [("favourite", 2)])

    ui.sidebar.click_tag("favourite")
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 2)
    assert ui_window.search_box.text() == "favourite"
    assert set(ui_window.model.ids.tolist()) == chosen
    ui.sidebar.click_tag("favourite", exclude=True)
    qtbot.waitUntil(lambda: ui_window.search_text == "favourite -favourite")
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 0)

    edit_menu = next(a.menu() for a in ui_window.menuBar().actions() if "Edit" in a.text())
    texts = [a.text() for a in edit_menu.actions()]
    assert any(t.startswith("&Undo") for t in texts) and "Manage &Tags…" in texts


def test_the_tag_editor_follows_the_selection_through_a_new_search(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 4, thumbnails=False)))
    ui = install_tag_ui(ui_window)
    run(qtbot, ui_window.reload())
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 4)
    model = ui_window.grid.model()
    ui_window.grid.selectionModel().select(
        QItemSelection(model.index(0, 0), model.index(1, 0)), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    qtbot.waitUntil(lambda: len(ui.editor.entity_ids) == 2)
    ui.editor.add_tags(["keep"])
    run(qtbot, ui.editor.wait_idle())
    assert ui.editor.chip_names() == [("keep", True)]

    run(qtbot, ui_window.apply_search("-keep"))
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 2)
    assert ui_window.selected_ids() == []
    qtbot.waitUntil(lambda: ui.editor.entity_ids == [])
    qtbot.waitUntil(lambda: ui.editor.chip_names() == [])
