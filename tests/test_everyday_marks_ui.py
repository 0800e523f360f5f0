"""Ratings, colour labels and flags: set from the grid's keys and the inspector, found by queries,
undone with Edit › Undo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from dam_desktop.ui.grid.tile_marks import LABEL_COLOURS, TileMark
from dam_desktop.ui.marks.install import MarksUI
from dam_desktop.ui.window.main_window import MainWindow
from dam_desktop.use_cases.marks import MarkChanges, marks_of, set_marks
from tests.ui_helpers import add_images, run


def _select(window: MainWindow, *rows: int) -> None:
    model = window.grid.selectionModel()
    model.clearSelection()
    for row in rows:
        model.select(window.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select)
    model.setCurrentIndex(window.model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)


def _search(qtbot: Any, window: MainWindow, text: str) -> set[int]:
    box = window.search_box
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.search_text == text and not window.model.loading and not window.tasks)
    return set(window.model.ids.tolist())


def test_ratings_labels_and_flags_are_set_in_the_window_and_found_by_queries(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    made = run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 4)))
    run(qtbot, ui_window.reload())
    ids = ui_window.model.ids.tolist()
    editor = MarksUI(ui_window).editor

    # Keys 4 over the grid rate the two selected assets.
    _select(ui_window, 0, 1)
    ui_window.grid.setFocus()
    qtbot.keyClick(ui_window.grid, Qt.Key.Key_4)
    qtbot.waitUntil(lambda: ui_window.statusBar().currentMessage() == "Rated 2 assets ★★★★")
    qtbot.waitUntil(lambda: [s.text() for s in editor.stars] == ["★"] * 4 + ["☆"])

    # The inspector labels one red and flags another as a pick.
    _select(ui_window, 2)
    qtbot.waitUntil(lambda: editor.isEnabled() and editor.stars[0].text() == "☆")
    editor.labels["red"].click()
    qtbot.waitUntil(lambda: editor.labels["red"].isChecked())
    _select(ui_window, 3)
    qtbot.waitUntil(lambda: not editor.labels["red"].isChecked())
    editor.pick.click()
    qtbot.waitUntil(lambda: ui_window.statusBar().currentMessage() == "Flagged 1 asset as pick")

    # The tiles carry them: a frame in the label's colour, stars and the flag in a pill.
    tiles = ui_window.grid.delegate.tile_marks
    qtbot.waitUntil(
        lambda: (
            tiles.marks.get(ids[2]) == TileMark(0, "red", None)
            and tiles.marks.get(ids[0]) == TileMark(4, None, None)
            and tiles.marks.get(ids[3]) == TileMark(0, None, "pick")
        )
    )
    canvas = QImage(120, 120, QImage.Format.Format_ARGB32)
    canvas.fill(QColor("black"))
    painter = QPainter(canvas)
    tiles.paint(painter, QRect(10, 10, 100, 100), ids[2])
    tiles.paint(painter, QRect(10, 10, 100, 100), ids[0])
    painter.end()
    assert canvas.pixelColor(8, 60) == QColor(LABEL_COLOURS["red"])  # the frame's left side
    gold = QColor("#f5b83d")
    assert any(canvas.pixelColor(x, y) == gold for x in range(40, 110) for y in range(14, 32))  # stars

    assert _search(qtbot, ui_window, "rating:>=4") == {ids[0], ids[1]}
    assert _search(qtbot, ui_window, "rating:0") == {ids[2], ids[3]}  # unrated, with no marks row too
    assert _search(qtbot, ui_window, "label:red") == {ids[2]}
    assert _search(qtbot, ui_window, "label:none") == {ids[0], ids[1], ids[3]}
    assert _search(qtbot, ui_window, "flag:pick | label:red") == {ids[2], ids[3]}
    assert _search(qtbot, ui_window, "rating:>=4 | flag:pick") == {ids[0], ids[1], ids[3]}

    # A result follows a change: lowering a rating drops the asset from `rating:>=4`...
    assert _search(qtbot, ui_window, "rating:>=4") == {ids[0], ids[1]}
    _select(ui_window, 0)
    qtbot.waitUntil(lambda: editor.isEnabled() and editor.stars[3].text() == "★")
    editor.stars[1].click()  # two stars
    qtbot.waitUntil(lambda: set(ui_window.model.ids.tolist()) == {ids[1]} and not ui_window.tasks)

    # ... and Edit › Undo brings it back.
    undo = ui_window.actions_menu.undo_stack
    assert undo.undoText() == "Rated 1 asset ★★"
    undo.undo()
    qtbot.waitUntil(lambda: set(ui_window.model.ids.tolist()) == {ids[0], ids[1]})
    stored = run(qtbot, ui_client.call(lambda world: marks_of(world, ids)))
    assert [stored[i].rating for i in ids] == [4, 4, 0, 0]
    assert stored[ids[2]].label == "red" and stored[ids[3]].flag == "pick"
    assert len(made) == 4


def test_a_bulk_edit_of_note_and_source_keeps_each_assets_other_marks(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 3)))
    run(qtbot, ui_window.reload())
    ids = ui_window.model.ids.tolist()
    run(qtbot, ui_client.call(lambda world: set_marks(world, [ids[0]], MarkChanges(rating=5, label="blue"))))
    editor = MarksUI(ui_window).editor
    ui_window.grid.selectAll()
    qtbot.waitUntil(lambda: editor.isEnabled() and editor.rating_note.text() == "mixed")
    editor.source.setText("https://example.org/pack")
    editor.source.setModified(True)
    editor.source.editingFinished.emit()
    qtbot.waitUntil(lambda: ui_window.statusBar().currentMessage() == "Noted on 3 assets")
    stored = run(qtbot, ui_client.call(lambda world: marks_of(world, ids)))
    assert {stored[i].source_url for i in ids} == {"https://example.org/pack"}
    assert stored[ids[0]].rating == 5 and stored[ids[0]].label == "blue"
    assert stored[ids[1]].rating == 0 and stored[ids[1]].label is None
    assert _search(qtbot, ui_window, "has:source") == set(ids)


def test_a_wrong_mark_query_says_what_is_allowed(qtbot: Any, ui_window: MainWindow) -> None:
    _search(qtbot, ui_window, "label:mauve")
    assert ui_window.search_failure is not None and "red, orange, yellow" in ui_window.search_failure
    assert ui_window.model.rowCount() == 0
