"""Saved searches in the tag sidebar are renamed, reordered and deleted, each undoable with the
window's Edit › Undo; the library keeps names and queries, the user's settings the order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex

from dam_desktop.ui.tags.saved_searches import SavedOrder
from dam_desktop.ui.tags.tag_ui import install_tag_ui
from dam_desktop.ui.window.main_window import MainWindow
from tests.ui_helpers import run


def _library_names(qtbot: Any, client: Any) -> dict[str, str]:
    from dam_desktop.use_cases.search import sidebar_tags

    found = run(qtbot, client.call(lambda world: sidebar_tags(world, "")))
    return {s.name: s.query for s in found.saved}


def test_saved_searches_are_renamed_reordered_and_deleted_with_undo(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    from dam_desktop.use_cases.search import save_search

    ui = install_tag_ui(ui_window)
    sidebar, undo = ui.sidebar, ui.editor.undo_stack
    for name, query in (("Birds", "bird"), ("Rain", "weather:rain"), ("Wide", "width:>1000")):
        run(qtbot, ui_client.call(lambda world, n=name, q=query: save_search(world, n, q)))
    qtbot.waitUntil(lambda: sidebar.saved_names() == ["Birds", "Rain", "Wide"])

    # The context menu of a saved search offers what can be done with it.
    rect = sidebar.saved_list.visualItemRect(sidebar.saved_list.item(1))
    sidebar._saved_menu(rect.center())
    assert sidebar.saved_menu is not None
    texts = [a.text() for a in sidebar.saved_menu.actions() if a.text()]
    assert texts == ["Run", "Rename…", "Move Up", "Move Down", "Delete"]
    sidebar.saved_menu.close()

    # Rename "Rain" (F2 or the menu): in the library and the list, in the same place; undo.
    sidebar.saved_list.setCurrentRow(1)
    sidebar.ask_rename = lambda name: "  Rainy   days "
    sidebar.rename_current()
    qtbot.waitUntil(lambda: sidebar.saved_names() == ["Birds", "Rainy days", "Wide"])
    qtbot.waitUntil(lambda: "Rainy days" in _library_names(qtbot, ui_client))
    assert _library_names(qtbot, ui_client)["Rainy days"] == "weather:rain"
    sidebar.ask_rename = lambda name: "Wide"  # a name another saved search has: refused, said so
    sidebar.rename_current()
    assert "already a saved search named “Wide”" in ui_window.statusBar().currentMessage()
    undo.undo()
    qtbot.waitUntil(lambda: sidebar.saved_names() == ["Birds", "Rain", "Wide"])
    qtbot.waitUntil(lambda: set(_library_names(qtbot, ui_client)) == {"Birds", "Rain", "Wide"})
    # The refreshes the renames caused have landed, and none showed an older state than the last.
    qtbot.waitUntil(lambda: sidebar.settled() and sidebar.saved_names() == ["Birds", "Rain", "Wide"])

    # Reorder by dragging (a move in the list's model, as a drop makes) and by the menu; undo.
    sidebar.saved_list.model().moveRow(QModelIndex(), 2, QModelIndex(), 0)
    assert sidebar.saved_names() == ["Wide", "Birds", "Rain"]
    sidebar.saved_list.setCurrentRow(2)
    sidebar.move_current(-1)
    assert sidebar.saved_names() == ["Wide", "Rain", "Birds"]
    order = SavedOrder(ui_window.settings, str(ui_client.library_path))
    assert order.names() == ["Wide", "Rain", "Birds"]  # kept for the next session
    undo.undo()
    assert sidebar.saved_names() == ["Wide", "Birds", "Rain"]
    undo.redo()
    assert sidebar.saved_names() == ["Wide", "Rain", "Birds"]

    # Delete from the library; Edit › Undo brings it back, in its place.
    sidebar.saved_list.setCurrentRow(1)
    sidebar.delete_current()
    qtbot.waitUntil(lambda: sidebar.saved_names() == ["Wide", "Birds"])
    qtbot.waitUntil(lambda: "Rain" not in _library_names(qtbot, ui_client))
    assert ui_window.statusBar().currentMessage().startswith("Deleted the saved search “Rain”")
    edit_menu = next(a.menu() for a in ui_window.menuBar().actions() if "Edit" in a.text())
    undo_action = next(a for a in edit_menu.actions() if a.text().startswith("&Undo"))
    assert "Delete Saved Search “Rain”" in undo_action.text()
    undo_action.trigger()
    qtbot.waitUntil(lambda: sidebar.saved_names() == ["Wide", "Rain", "Birds"])
    qtbot.waitUntil(lambda: _library_names(qtbot, ui_client).get("Rain") == "weather:rain")

    qtbot.waitUntil(lambda: sidebar.settled() and sidebar.saved_names() == ["Wide", "Rain", "Birds"])

    # A click still runs it.
    sidebar._saved_clicked(sidebar.saved_list.item(1))
    qtbot.waitUntil(lambda: ui_window.search_text == "weather:rain")
    assert ui_window.search_box.text() == "weather:rain"
