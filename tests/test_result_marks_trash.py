"""Marks and the trash over a whole search result, past the cap on listed ids: rating a Select All
over more assets than the window lists rates every match (but those left out) and undoes to what
each had; moving such a selection to the trash and restoring it from the trash's own Select All
move every one of them, and undo puts them back. The caps are lowered so a test stays small."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QAction

from dam_desktop.ui.marks import install as marks_install
from dam_desktop.ui.marks.install import MarksUI
from dam_desktop.ui.window import asset_actions
from dam_desktop.ui.window.context_menu import TRASH_VIEW
from dam_desktop.ui.window.main_window import MainWindow
from dam_desktop.use_cases import marks, search, trash
from dam_desktop.use_cases.marks import MarkChanges
from dam_desktop.use_cases.result_scope import ResultScope
from tests.test_result_tag_edits import bulk_assets, sqlite_file
from tests.test_tag_support import AssetSpec, make_assets
from tests.ui_helpers import run

COUNT = 130
LIMIT = 50  # the lowered cap: a Select All of COUNT assets is then "the whole result"


@pytest.fixture
def low_caps(monkeypatch: Any) -> None:
    monkeypatch.setattr(asset_actions, "MAX_SELECTION_FOR_ACTIONS", LIMIT)
    monkeypatch.setattr(marks_install, "SELECTION_LIMIT", LIMIT)


async def test_marking_a_result_changes_its_matches_and_undo_restores_each_assets_marks(world: Any) -> None:
    async with world.session() as session:
        specs = [AssetSpec(name=f"{kind}{n}.png") for kind in "ab" for n in range(4)]
        ids = await make_assets(session, specs)
        await session.commit()
    a_ids, b_ids = ids[:4], ids[4:]
    await marks.set_marks(world, [a_ids[0]], MarkChanges(rating=5, label="red"))
    await marks.set_marks(world, [b_ids[0]], MarkChanges(rating=1))

    edit = await marks.set_marks_on_result(world, ResultScope("name:a*", (a_ids[3],)), MarkChanges(rating=3))
    assert edit.count == 3
    after = await marks.marks_of(world, ids)
    assert [after[i].rating for i in a_ids] == [3, 3, 3, 0]
    assert after[a_ids[0]].label == "red" and after[b_ids[0]].rating == 1
    assert await search.count_matches(world, "rating:3") == 3

    await marks.undo_bulk(world, edit)
    undone = await marks.marks_of(world, ids)
    assert [undone[i].rating for i in a_ids] == [5, 0, 0, 0] and undone[a_ids[0]].label == "red"
    assert await search.count_matches(world, "rating:>=1") == 2  # a0's and b0's, as before


def _select_all_but_last_row(window: MainWindow) -> int:
    window.grid.selectAll()
    last = window.model.index(window.model.rowCount() - 1, 0)
    window.grid.selectionModel().select(last, QItemSelectionModel.SelectionFlag.Deselect)
    return window.model.entity_id(window.model.rowCount() - 1)


def _rate_action(window: MainWindow, stars: int) -> QAction:
    return next(a for a in window.grid.actions() if a.text() == f"Rate {stars}")


@sqlite_file
def test_rating_a_whole_selected_result_past_the_cap_rates_every_match_and_undoes(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, low_caps: None
) -> None:
    marked = bulk_assets(ui_window.client.library_path / "dam.sqlite3", COUNT)[COUNT // 2]
    run(
        qtbot,
        ui_client.call(lambda world: marks.set_marks(world, [marked], MarkChanges(rating=5, label="red"))),
    )
    ui = MarksUI(ui_window)
    try:
        run(qtbot, ui_window.reload())
        qtbot.waitUntil(lambda: ui_window.model.rowCount() == COUNT and not ui_window.model.streaming)
        left_out = _select_all_but_last_row(ui_window)
        shown = ui_window.model.entity_id(0)

        _rate_action(ui_window, 3).trigger()

        qtbot.waitUntil(lambda: ui_window.statusBar().currentMessage() == f"Rated {COUNT - 1} assets ★★★")

        def rated(query: str) -> int:
            return int(run(qtbot, ui_client.call(lambda world: search.count_matches(world, query))))

        assert rated("rating:3") == COUNT - 1 and rated("rating:>=1") == COUNT - 1
        stored = run(qtbot, ui_client.call(lambda world: marks.marks_of(world, [marked, left_out])))
        assert stored[marked].label == "red" and stored[left_out].rating == 0
        tile_marks = ui_window.grid.delegate.tile_marks.marks
        qtbot.waitUntil(lambda: shown in tile_marks and tile_marks[shown].rating == 3)
        stack = ui_window.actions_menu.undo_stack
        assert stack.undoText() == f"Rated {COUNT - 1} assets ★★★"

        stack.undo()
        qtbot.waitUntil(lambda: rated("rating:3") == 0)
        stored = run(qtbot, ui_client.call(lambda world: marks.marks_of(world, [marked])))
        assert stored[marked].rating == 5 and stored[marked].label == "red"
        assert rated("rating:>=1") == 1
        qtbot.waitUntil(lambda: shown not in tile_marks or tile_marks[shown].rating != 3)

        stack.redo()
        qtbot.waitUntil(lambda: rated("rating:3") == COUNT - 1)
    finally:
        ui.timer.stop()
        run(qtbot, ui.tasks.cancel_all())


@sqlite_file
def test_trashing_and_restoring_a_whole_selected_result_past_the_cap_moves_every_one_and_undoes(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, low_caps: None
) -> None:
    bulk_assets(ui_window.client.library_path / "dam.sqlite3", COUNT)
    run(qtbot, ui_window.reload())
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == COUNT and not ui_window.model.streaming)
    left_out = _select_all_but_last_row(ui_window)
    asked: list[str] = []
    ui_window.confirm = lambda title, text: asked.append(text) or True

    run(qtbot, ui_window._run_action_by_key("remove"))

    qtbot.waitUntil(lambda: ui_window.model.ids.tolist() == [left_out])
    assert asked[0].startswith(f"Remove {COUNT - 1:,} assets from the library?")
    assert ui_window.statusBar().currentMessage().startswith(f"Moved {COUNT - 1} assets to the trash")
    stack = ui_window.actions_menu.undo_stack
    assert stack.undoText() == f"Remove {COUNT - 1} assets"
    stack.undo()
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == COUNT and not ui_window.model.streaming)
    stack.redo()
    qtbot.waitUntil(lambda: ui_window.model.ids.tolist() == [left_out])

    ui_window.sidebar.select_view(TRASH_VIEW)
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == COUNT - 1 and not ui_window.model.streaming)
    ui_window.grid.selectAll()
    run(qtbot, ui_window._run_action_by_key("restore"))
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 0)
    assert ui_window.statusBar().currentMessage() == f"Restored {COUNT - 1} assets"
    assert run(qtbot, ui_client.call(lambda world: search.count_matches(world, ""))) == COUNT
    stack.undo()  # the restore: back into the trash
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == COUNT - 1 and not ui_window.model.streaming)
    assert run(qtbot, ui_client.call(lambda world: search.count_matches(world, ""))) == 1


def _sidebar_texts(window: MainWindow) -> list[str]:
    return [window.sidebar.nav.item(row).text() for row in range(window.sidebar.nav.count())]


@sqlite_file
def test_deleting_the_whole_trash_past_the_cap_deletes_every_one_in_batches_with_progress(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, low_caps: None, monkeypatch: Any
) -> None:
    monkeypatch.setattr(trash, "BATCH", 20)  # 129 assets: seven batches, the job shows each
    bulk_assets(ui_window.client.library_path / "dam.sqlite3", COUNT)
    run(qtbot, ui_window.reload())
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == COUNT and not ui_window.model.streaming)
    kept = _select_all_but_last_row(ui_window)
    asked: list[str] = []

    def confirm(title: str, text: str) -> bool:
        asked.append(text)
        return True

    ui_window.confirm = confirm
    run(qtbot, ui_window._run_action_by_key("remove"))
    qtbot.waitUntil(lambda: ui_window.model.ids.tolist() == [kept])
    ui_window.sidebar.select_view(TRASH_VIEW)
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == COUNT - 1 and not ui_window.model.streaming)
    assert f"Trash   {COUNT - 1:,}" in _sidebar_texts(ui_window)
    ui_window.grid.selectAll()
    jobs_shown: list[str] = []
    ui_window.jobs.changed.connect(lambda: jobs_shown.append(ui_window.jobs_label.text()))

    run(qtbot, ui_window._run_action_by_key("delete-permanently"))

    assert asked[-1].startswith(f"Delete {COUNT - 1:,} assets permanently?")
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 0)
    assert ui_window.statusBar().currentMessage() == f"Deleted {COUNT - 1} assets permanently"
    assert "Deleting permanently 20 of 129" in jobs_shown and "Deleting permanently 120 of 129" in jobs_shown
    assert not ui_window.jobs.busy and ui_window.jobs_label.isHidden()
    qtbot.waitUntil(lambda: not any(text.startswith("Trash   ") for text in _sidebar_texts(ui_window)))
    assert run(qtbot, ui_client.call(lambda world: search.count_matches(world, ""))) == 1
    trashed = run(
        qtbot, ui_client.call(lambda world: trash.restore_from_trash(world, list(range(1, COUNT + 1))))
    )
    assert trashed.entity_ids == []  # nothing left to restore: gone for good, not hidden


async def test_deleting_a_trash_scope_stops_between_batches_when_asked(world: Any) -> None:
    async with world.session() as session:
        ids = await make_assets(session, [AssetSpec(name=f"t{n}.png") for n in range(7)])
        await session.commit()
    await trash.move_to_trash(world, ids)
    seen: list[tuple[int, int]] = []

    outcome = await trash.delete_result(
        world,
        ResultScope("", trash=True),
        on_progress=lambda d, t: seen.append((d, t)),
        stop=lambda: len(seen) > 2,
        batch=3,
    )

    assert seen == [(0, 7), (3, 7), (6, 7)] and len(outcome.entity_ids) == 6
    assert (await trash.restore_from_trash(world, ids)).entity_ids == [ids[-1]]
    assert await search.count_matches(world, "") == 1
    assert (await trash.delete_result(world, ResultScope("", trash=False))).entity_ids == []
