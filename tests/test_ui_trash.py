"""Remove from library and restore from the trash, through the window."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QFileDialog

from dam_desktop.ui.window.context_menu import TRASH_VIEW, Selection
from dam_desktop.ui.window.main_window import MainWindow
from dam_desktop.use_cases import trash as trash_cases
from tests.ui_helpers import HeldAnswers, add_images, run


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


def test_an_action_acts_on_the_view_and_assets_selected_when_it_was_asked(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    """The tile facts an action waits for may come after the user has moved on (another view):
    the action still names the assets and the view it was asked on, so a trash action is not
    refused, nor paired with the library's listing."""
    made = run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 2)))
    ids = [asset.entity_id for asset in made]
    run(qtbot, ui_client.call(lambda world: trash_cases.move_to_trash(world, ids)))
    ui_window.sidebar.select_view(TRASH_VIEW)
    qtbot.waitUntil(lambda: sorted(ui_window.model.ids.tolist()) == sorted(ids))
    ui_window.grid.selectAll()
    held = HeldAnswers(ui_client)
    ui_window.model.client = held
    asking: list[asyncio.Task[Selection]] = []

    def waiting_for_facts() -> bool:
        """Asked, and waiting for the tile facts (its one await), which the held client keeps
        back. Asked again when a read from before the hold brought the facts back first."""
        if not asking or asking[-1].done():
            ui_window.model.forget_infos(ids)  # not on screen lately: the action reads them
            asking.append(ui_window.tasks.spawn(ui_window.current_selection()))
            return False
        return inspect.getcoroutinestate(asking[-1].get_coro()) == inspect.CORO_SUSPENDED

    qtbot.waitUntil(waiting_for_facts)
    asked = asking[-1]

    ui_window.sidebar.select_view("library")

    def all_answered() -> bool:
        for gate in held.gates:
            gate.set()
        return asked.done() and ui_window.model.rowCount() == 0 and not ui_window.model.loading

    qtbot.waitUntil(all_answered)
    selection = asked.result()
    assert selection.view == TRASH_VIEW
    assert sorted(selection.entity_ids) == sorted(ids) and len(selection.infos) == 2
