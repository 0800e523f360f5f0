"""Reads beside the grid's that fail (the server went away as another workstation's change came
in): the tag sidebar's counts and the tiles' facts. The window says so in the status bar's red
label, keeps what it showed, raises nothing into a task nobody awaits, and the next read of the
same kind that succeeds takes the label away."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from typing import Any

import pytest

from dam_desktop.core.events import WorldChanged
from dam_desktop.ui.window.main_window import MainWindow
from dam_desktop.ui.window.read_failure import (
    SELECTION_MARKS_UNREAD,
    SELECTION_TAGS_UNREAD,
    TAG_COUNTS_STALE,
    TILES_STALE,
    TITLE,
)
from tests.test_tag_support import AssetSpec, make_assets
from tests.ui_helpers import read_failure_text, rename_table_now, run

TAG = "harbour"


@pytest.fixture
def loop_errors(ui_loop: asyncio.AbstractEventLoop) -> Iterator[list[str]]:
    """What the loop was told of errors nobody handled ("Task exception was never retrieved")."""
    told: list[str] = []
    previous = ui_loop.get_exception_handler()
    ui_loop.set_exception_handler(lambda _loop, context: told.append(str(context.get("message"))))
    try:
        yield told
    finally:
        ui_loop.set_exception_handler(previous)


def _assets(qtbot: Any, client: Any, count: int) -> list[int]:
    async def build(world: Any) -> list[int]:
        specs = [AssetSpec(name=f"{TAG}-{i}.png", tags=(TAG,)) for i in range(count)]
        async with world.session() as session:
            ids = await make_assets(session, specs)
            await session.commit()
        return ids

    return run(qtbot, client.call(build))


def _nothing_unhandled(qtbot: Any, told: list[str]) -> None:
    qtbot.wait(0)  # let the ended tasks' callbacks run, then collect them (and say what they held)
    gc.collect()
    assert not told, told


def test_tag_counts_that_cannot_be_read_are_said_and_the_list_keeps_what_it_showed(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, loop_errors: list[str]
) -> None:
    from dam_desktop.ui.tags.tag_ui import install_tag_ui

    _assets(qtbot, ui_client, 3)
    sidebar = install_tag_ui(ui_window).sidebar
    run(qtbot, ui_window.reload())
    qtbot.waitUntil(lambda: [(c.name, c.count) for c in sidebar.counts] == [(TAG, 3)])

    rename_table_now(qtbot, ui_client, "component_tag_concept", "tags_away")
    # Saving a search is a change the sidebar follows: it reads its counts again, which fails.
    run(qtbot, sidebar.save_current("boats"))
    qtbot.waitUntil(lambda: read_failure_text(ui_window) is not None)
    reason = ui_window.read_failure.reason
    assert reason is not None and "component_tag_concept" in reason
    assert read_failure_text(ui_window) == f"{TITLE}: {reason} · {TAG_COUNTS_STALE}"
    assert sidebar.tag_list.count() == 1 and sidebar.tag_list.item(0).text() == TAG
    assert ui_window.model.rowCount() == 3, "the grid is not touched by the sidebar's failure"
    qtbot.waitUntil(sidebar.settled)
    _nothing_unhandled(qtbot, loop_errors)

    rename_table_now(qtbot, ui_client, "tags_away", "component_tag_concept")
    run(qtbot, sidebar.save_current("ships"))
    qtbot.waitUntil(lambda: sidebar.saved_names() == ["boats", "ships"])
    qtbot.waitUntil(lambda: read_failure_text(ui_window) is None)
    assert ui_window.read_failure.reason is None


def test_tile_facts_that_cannot_be_read_are_said_and_the_tiles_keep_theirs(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, loop_errors: list[str]
) -> None:
    ids = _assets(qtbot, ui_client, 3)
    run(qtbot, ui_window.reload())
    model = ui_window.model
    qtbot.waitUntil(lambda: all(model.info(eid) is not None for eid in ids))
    names = {eid: model.info(eid).filename for eid in ids}  # type: ignore[union-attr]

    rename_table_now(qtbot, ui_client, "component_file_properties", "files_away")
    # Another workstation changed these files: the tiles read their facts again, which fails.
    another = WorldChanged(entity_ids=frozenset(ids), components=frozenset({"file"}))
    ui_client.changes.changed.emit(another)
    qtbot.waitUntil(lambda: read_failure_text(ui_window) is not None)
    reason = ui_window.read_failure.reason
    assert reason is not None and "component_file_properties" in reason
    assert read_failure_text(ui_window) == f"{TITLE}: {reason} · {TILES_STALE}"
    assert {eid: model.info(eid).filename for eid in ids} == names  # type: ignore[union-attr]
    assert model.rowCount() == 3
    qtbot.waitUntil(lambda: len(list(model._tasks)) == 0)
    _nothing_unhandled(qtbot, loop_errors)

    rename_table_now(qtbot, ui_client, "files_away", "component_file_properties")
    ui_client.changes.changed.emit(another)
    qtbot.waitUntil(lambda: read_failure_text(ui_window) is None)
    assert ui_window.read_failure.reason is None


def test_the_grids_own_failure_is_not_hidden_by_a_read_beside_it(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, loop_errors: list[str]
) -> None:
    """The grid's failure says more (its rows are stale); a tile read that then fails or succeeds
    leaves its words as they are."""
    ids = _assets(qtbot, ui_client, 2)
    run(qtbot, ui_window.reload())
    model = ui_window.model
    qtbot.waitUntil(lambda: all(model.info(eid) is not None for eid in ids))
    rename_table_now(qtbot, ui_client, "component_file_properties", "files_away")
    run(qtbot, ui_window.reload())
    grid_said = read_failure_text(ui_window)
    assert grid_said is not None and grid_said.endswith("showing what was read before")
    ui_client.changes.changed.emit(WorldChanged(entity_ids=frozenset(ids), components=frozenset({"file"})))
    qtbot.waitUntil(lambda: len(list(model._tasks)) == 0 and not ui_window.change_follower.waiting())
    assert read_failure_text(ui_window) == grid_said
    rename_table_now(qtbot, ui_client, "files_away", "component_file_properties")
    ui_client.changes.changed.emit(WorldChanged(entity_ids=frozenset(ids), components=frozenset({"file"})))
    qtbot.waitUntil(lambda: len(list(model._tasks)) == 0 and not ui_window.change_follower.waiting())
    assert read_failure_text(ui_window) == grid_said, "only a read of the grid says the grid is fresh"
    _nothing_unhandled(qtbot, loop_errors)


def _select(window: MainWindow, entity_id: int) -> None:
    from PySide6.QtCore import QItemSelectionModel

    index = window.model.index(window.model.row_of(entity_id), 0)
    window.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)


def test_the_selections_tags_that_cannot_be_read_show_no_chips_and_are_said(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, loop_errors: list[str]
) -> None:
    from dam_desktop.ui.tags.tag_editor import UNREAD
    from dam_desktop.ui.tags.tag_ui import install_tag_ui

    first, second = _assets(qtbot, ui_client, 2)
    editor = install_tag_ui(ui_window).editor
    run(qtbot, ui_window.reload())
    _select(ui_window, first)
    qtbot.waitUntil(lambda: editor.entity_ids == [first] and editor.chip_names() == [(TAG, True)])

    rename_table_now(qtbot, ui_client, "component_entity_tag_link", "links_away")
    _select(ui_window, second)
    qtbot.waitUntil(lambda: read_failure_text(ui_window) is not None)
    reason = ui_window.read_failure.reason
    assert reason is not None and "component_entity_tag_link" in reason
    assert read_failure_text(ui_window) == f"{TITLE}: {reason} · {SELECTION_TAGS_UNREAD}"
    assert editor.entity_ids == [second]
    assert editor.chip_names() == [], "the first asset's chips are not shown as the second's"
    assert editor.empty_label.isVisibleTo(ui_window) and editor.empty_label.text() == UNREAD
    qtbot.waitUntil(lambda: len(editor.tasks) == 0)
    _nothing_unhandled(qtbot, loop_errors)

    rename_table_now(qtbot, ui_client, "links_away", "component_entity_tag_link")
    _select(ui_window, first)
    qtbot.waitUntil(lambda: editor.chip_names() == [(TAG, True)])
    qtbot.waitUntil(lambda: read_failure_text(ui_window) is None)


def test_the_selections_marks_that_cannot_be_read_are_said_and_not_shown(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, loop_errors: list[str]
) -> None:
    from dam_desktop.ui.marks.install import MarksUI

    first, second = _assets(qtbot, ui_client, 2)
    marks = MarksUI(ui_window)
    run(qtbot, ui_window.reload())
    _select(ui_window, first)
    qtbot.waitUntil(lambda: marks.editor.isEnabled() and len(marks.tasks) == 0)

    rename_table_now(qtbot, ui_client, "component_asset_marks", "marks_away")
    _select(ui_window, second)
    qtbot.waitUntil(lambda: read_failure_text(ui_window) is not None)
    reason = ui_window.read_failure.reason
    assert reason is not None and "component_asset_marks" in reason
    assert read_failure_text(ui_window) == f"{TITLE}: {reason} · {SELECTION_MARKS_UNREAD}"
    assert not marks.editor.isEnabled() and marks.editor.marks == []
    # The tiles' marks, read again after a change, fail the same way: said, nothing raised.
    ui_client.changes.changed.emit(
        WorldChanged(entity_ids=frozenset({first}), components=frozenset({"marks"}))
    )
    qtbot.waitUntil(lambda: read_failure_text(ui_window) == f"{TITLE}: {reason} · {TILES_STALE}")
    qtbot.waitUntil(lambda: len(marks.tasks) == 0 and not marks.follower.waiting())
    _nothing_unhandled(qtbot, loop_errors)

    rename_table_now(qtbot, ui_client, "marks_away", "component_asset_marks")
    ui_client.changes.changed.emit(
        WorldChanged(entity_ids=frozenset({first, second}), components=frozenset({"marks"}))
    )
    qtbot.waitUntil(lambda: read_failure_text(ui_window) is None)
    qtbot.waitUntil(lambda: marks.editor.isEnabled())
