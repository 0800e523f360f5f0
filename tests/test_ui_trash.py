"""Remove from library and restore from the trash, through the window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QFileDialog

from dam_desktop.ui.window.context_menu import TRASH_VIEW
from dam_desktop.ui.window.main_window import MainWindow
from tests.ui_helpers import add_images, run


def test_remove_to_trash_then_restore_then_empty(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    made = run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 4)))
    run(qtbot, ui_window.reload())
    victim = made[3]  # newest first: row 0
    index = ui_window.model.index(0, 0)
    ui_window.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    asked: list[str] = []
    ui_window.confirm = lambda title, text: asked.append(title) or True
    ui_window.remove_action.trigger()
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 3)
    assert asked == ["Remove from library"]
    assert victim.entity_id not in ui_window.model.ids.tolist()
    assert not victim.path.exists()
    qtbot.waitUntil(lambda: "Trash   1" in ui_window.sidebar.nav.item(1).text())

    ui_window.sidebar.select_view(TRASH_VIEW)
    qtbot.waitUntil(lambda: ui_window.model.ids.tolist() == [victim.entity_id])
    assert ui_window.banner.isVisible() and ui_window.banner_button.text() == "Empty Trash…"
    ui_window.grid.selectAll()
    run(qtbot, ui_window._run_action_by_key("restore"))
    assert victim.path.is_file()  # restored by the action itself, whatever reloads ran meanwhile
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 0)  # the trash's listing reloads streamed

    ui_window.sidebar.select_view("library")
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 4)

    # Declining the confirmation removes nothing (it was asked: the Select All held).
    asked.clear()

    def decline(title: str, text: str) -> bool:
        asked.append(text)
        return False

    ui_window.confirm = decline
    ui_window.grid.selectAll()
    run(qtbot, ui_window._run_action_by_key("remove"))
    assert len(asked) == 1 and asked[0].startswith("Remove 4 assets from the library?")
    assert ui_window.model.rowCount() == 4

    ui_window.confirm = lambda title, text: True
    ui_window.grid.selectAll()
    run(qtbot, ui_window._run_action_by_key("remove"))
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 0)
    ui_window.sidebar.select_view(TRASH_VIEW)
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 4)
    run(qtbot, ui_window.empty_trash())
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 0)
    assert not any(asset.path.exists() for asset in made)
    assert ui_window.banner_label.text() == "The trash is empty."


def test_export_copies_the_selection_into_the_chosen_folder(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    made = run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 2)))
    run(qtbot, ui_window.reload())
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "image-0000.png").write_bytes(b"already here")  # a file of the same name stays
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(folder))
    ui_window.grid.selectAll()

    run(qtbot, ui_window._run_action_by_key("export"))

    assert ui_window.statusBar().currentMessage() == f"Exported 2 files to {folder}"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(["image-0000.png", "image-0000 (2).png", "image-0001.png"])
    assert (folder / "image-0000.png").read_bytes() == b"already here"
    assert (folder / "image-0000 (2).png").read_bytes() == made[0].path.read_bytes()
