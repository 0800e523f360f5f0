"""The search box behaves: errors where they are and in the grid until the next valid query, "No
matches for …", Escape and the ×, recent searches, and autocomplete for terms and tags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QToolButton

from dam_desktop.ui.grid.empty_state import DROP_HERE
from dam_desktop.ui.tags.tag_ui import install_tag_ui
from dam_desktop.ui.window.main_window import MainWindow
from dam_desktop.ui.window.search_completer import DETAIL_ROLE
from tests.ui_helpers import add_images, run


def _library(qtbot: Any, window: MainWindow, client: Any, tmp_path: Path) -> list[int]:
    """Four images; two tagged `storm`, three `weather:rain`."""
    from dam_desktop.use_cases.tags import add_tags

    made = run(qtbot, client.call(lambda world: add_images(world, tmp_path / "src", 4, thumbnails=False)))
    ids = [m.entity_id for m in made]
    run(qtbot, client.call(lambda world: add_tags(world, ids[:2], ["storm"])))
    run(qtbot, client.call(lambda world: add_tags(world, ids[1:], ["weather:rain"])))
    run(qtbot, window.reload())
    qtbot.waitUntil(lambda: window.model.rowCount() == 4)
    return ids


def _type(qtbot: Any, window: MainWindow, text: str) -> None:
    box = window.search_box
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)


def _settled(window: MainWindow, rows: int) -> bool:
    return window.model.rowCount() == rows and not window.model.loading


def _clear_button(window: MainWindow) -> QToolButton:
    action = window.search_box.findChild(QAction, "_q_qlineeditclearaction")
    return next(b for b in window.search_box.findChildren(QToolButton) if b.defaultAction() is action)


def test_a_query_error_shows_where_it_is_and_in_the_grid_until_the_next_valid_query(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    _library(qtbot, ui_window, ui_client, tmp_path)
    box = ui_window.search_box
    _type(qtbot, ui_window, "storm")
    qtbot.waitUntil(lambda: _settled(ui_window, 2))

    _type(qtbot, ui_window, "  storm (")
    qtbot.waitUntil(lambda: box.property("invalid") is True)
    # The grid shows the error, not the two results of the last valid query.
    assert ui_window.model.rowCount() == 0
    assert ui_window.grid.empty_state.title == "This search cannot run"
    assert ui_window.grid.empty_state.hint == "expected a term after '('"
    # In the box: at the "(" (offset 6 in the query, 8 with the two leading spaces), with the message
    # just below it.
    assert box.error_position == 8
    assert box.error_label is not None and box.error_label.isVisible()
    assert box.error_label.text() == "▲ expected a term after '('"
    label_x = box.error_label.mapTo(ui_window, box.error_label.rect().topLeft()).x()
    assert abs(label_x + 12 - box.mapTo(ui_window, box.rect().topLeft()).x() - box.error_x()) <= 2
    assert ui_window.statusBar().currentMessage() == ""

    qtbot.keyClick(box, Qt.Key.Key_Backspace)
    qtbot.keyClick(box, Qt.Key.Key_Backspace)
    qtbot.waitUntil(lambda: _settled(ui_window, 2) and box.property("invalid") is False)
    assert not box.error_label.isVisible()
    assert box.error_position is None


def test_no_matches_replaces_the_import_prompt_once_the_library_has_assets(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    assert ui_window.grid.empty_state == DROP_HERE
    _type(qtbot, ui_window, "storm")
    qtbot.waitUntil(lambda: ui_window.search_text == "storm" and not ui_window.model.loading)
    assert ui_window.grid.empty_state == DROP_HERE  # nothing to search yet: import is the way on
    ui_window.search_box.clear()
    qtbot.waitUntil(lambda: ui_window.search_text == "" and not ui_window.model.loading)

    _library(qtbot, ui_window, ui_client, tmp_path)
    _type(qtbot, ui_window, "hurricane")
    qtbot.waitUntil(lambda: ui_window.grid.empty_state.title == "No matches for “hurricane”")
    assert ui_window.model.rowCount() == 0
    assert "Escape" in ui_window.grid.empty_state.hint


def test_escape_clears_the_box_and_the_grid_shows_every_asset(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    _library(qtbot, ui_window, ui_client, tmp_path)
    _type(qtbot, ui_window, "storm")
    qtbot.keyClick(ui_window.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _settled(ui_window, 2))

    qtbot.keyClick(ui_window.search_box, Qt.Key.Key_Escape)
    assert ui_window.search_box.text() == ""
    qtbot.waitUntil(lambda: _settled(ui_window, 4) and ui_window.search_text == "")
    qtbot.keyClick(ui_window.search_box, Qt.Key.Key_Escape)  # an empty box: nothing to clear
    assert _settled(ui_window, 4)


def test_the_clear_button_is_there_for_a_query_set_from_the_sidebar(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    _library(qtbot, ui_window, ui_client, tmp_path)
    ui = install_tag_ui(ui_window)
    assert not _clear_button(ui_window).isVisible()

    ui.sidebar.click_tag("storm")
    qtbot.waitUntil(lambda: _settled(ui_window, 2) and ui_window.search_text == "storm")
    assert ui_window.search_box.text() == "storm"
    qtbot.waitUntil(lambda: _clear_button(ui_window).isVisible())

    _clear_button(ui_window).click()
    assert ui_window.search_box.text() == ""
    qtbot.waitUntil(lambda: _settled(ui_window, 4) and ui_window.search_text == "")


def test_recent_searches_come_back_from_the_drop_down(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    _library(qtbot, ui_window, ui_client, tmp_path)
    for query, rows in (("storm", 2), ("weather:rain", 3)):
        _type(qtbot, ui_window, query)
        qtbot.keyClick(ui_window.search_box, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda rows=rows: _settled(ui_window, rows))

    ui_window.search_box.clear()
    qtbot.waitUntil(lambda: _settled(ui_window, 4))
    qtbot.keyClick(ui_window.search_box, Qt.Key.Key_Down)  # Down in an empty box opens the list
    menu = ui_window.controls.recent_menu
    qtbot.waitUntil(menu.isVisible)
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts == ["Recent searches", "weather:rain", "storm", "Clear Recent Searches"]
    menu.close()

    next(a for a in menu.actions() if a.text() == "storm").trigger()
    assert ui_window.search_box.text() == "storm"
    qtbot.waitUntil(lambda: _settled(ui_window, 2) and ui_window.search_text == "storm")

    ui_window.search_box.history_action.trigger()  # the magnifier opens it too
    again = ui_window.controls.recent_menu
    next(a for a in again.actions() if a.text() == "Clear Recent Searches").trigger()
    again.close()
    assert ui_window.controls.recent.items() == []


def test_autocomplete_offers_terms_and_tags_with_namespaces_and_use_counts(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    _library(qtbot, ui_window, ui_client, tmp_path)
    completer = ui_window.controls.completer

    def offered() -> dict[str, str]:
        items = [completer.model.item(r) for r in range(completer.model.rowCount())]
        return {item.text(): str(item.data(DETAIL_ROLE)) for item in items}

    _type(qtbot, ui_window, "ra")  # the part after a namespace finds the tag
    qtbot.waitUntil(lambda: "weather:rain" in offered() and completer.popup.isVisible())
    assert offered()["weather:rain"] == "3"

    _type(qtbot, ui_window, "wea")  # the namespace itself, and its tags
    qtbot.waitUntil(lambda: "weather:" in offered())
    assert offered() == {"weather:": "1 tag", "weather:rain": "3"}

    _type(qtbot, ui_window, "na")  # the query terms, with what they find
    qtbot.waitUntil(lambda: "name:" in offered())
    assert offered()["name:"].startswith("file name")

    # Choosing replaces only the word at the cursor, keeps its "-", and searches at once.
    _type(qtbot, ui_window, "weather:rain -st")
    qtbot.waitUntil(lambda: list(offered()) == ["storm"])
    assert offered()["storm"] == "2"
    completer.choose(0)
    assert ui_window.search_box.text() == "weather:rain -storm "
    qtbot.waitUntil(lambda: _settled(ui_window, 2) and ui_window.search_text == "weather:rain -storm")
    assert not completer.popup.isVisible()
