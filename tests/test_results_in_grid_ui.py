"""A ranked result ("Find similar") is the grid the user knows: the inspector, the waveform and
player, tagging, drag-out and the context menu's actions work on its tiles as on any tile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel

from dam_desktop.core.stages import SystemStage
from dam_desktop.ui.jobs.background_work import install_background_work
from dam_desktop.ui.semantic.semantic_search import install_semantic_search
from dam_desktop.ui.tags.tag_ui import install_tag_ui
from dam_desktop.ui.window import context_menu
from dam_desktop.ui.window.main_window import MainWindow
from tests.audio_synthesis import write_sounds
from tests.ui_helpers import run

SOUNDS = 8


def _select(window: MainWindow, row: int) -> None:
    window.grid.selectionModel().setCurrentIndex(
        window.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )


def _filename(qtbot: Any, window: MainWindow, row: int) -> str:
    entity_id = window.model.entity_id(row)
    return run(qtbot, window.model.fetch_infos([entity_id]))[entity_id].filename


def test_a_find_similar_result_tile_is_inspected_tagged_dragged_and_acted_on(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    from dam_desktop.services.ingest.import_service import import_paths

    write_sounds(tmp_path / "sounds", count=SOUNDS)
    background = install_background_work(ui_window)
    folder = tmp_path / "sounds"
    report = run(qtbot, ui_client.call(lambda world: import_paths(world, [folder])), timeout=60_000)
    assert not report.failed
    qtbot.waitUntil(
        lambda: background.processed.get(int(SystemStage.AUDIO_PROCESSING), 0) == SOUNDS, timeout=60_000
    )
    tags = install_tag_ui(ui_window)
    install_semantic_search(ui_window)
    run(qtbot, ui_window.reload())
    source_row = next(r for r in range(SOUNDS) if _filename(qtbot, ui_window, r) == "sound_02.wav")
    _select(ui_window, source_row)
    run(qtbot, ui_window._run_action_by_key("find-similar"), timeout=30_000)
    qtbot.waitUntil(lambda: ui_window.model.ranking is not None and ui_window.model.rowCount() == SOUNDS - 1)
    result_ids = ui_window.model.ids_in(0, SOUNDS - 1)

    # The inspector follows a result tile: its name, and the sound's waveform ready to play.
    _select(ui_window, 2)
    name = _filename(qtbot, ui_window, 2)
    qtbot.waitUntil(lambda: ui_window.inspector.title.text() == name)
    player = ui_window.inspector.audio_player
    qtbot.waitUntil(lambda: player.source is not None and player.source.is_file())
    qtbot.waitUntil(lambda: player.waveform.has_peaks)
    assert player.play_button.isEnabled()

    # Tagging it from the inspector's tag editor: the tag lands on that asset; the result stays.
    qtbot.waitUntil(lambda: tags.editor.entity_ids == [result_ids[2]])
    tags.editor.add_tags(["keeper"])
    run(qtbot, tags.editor.wait_idle())
    assert tags.editor.chip_names() == [("keeper", True)]
    assert ui_window.ranked is not None and ui_window.model.ids_in(0, SOUNDS - 1) == result_ids

    # A click on the tag in the sidebar narrows the result, shown as a chip.
    tags.sidebar.click_tag("keeper")
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 1 and not ui_window.model.loading)
    assert ui_window.model.entity_id(0) == result_ids[2]
    assert ui_window.banner.chip.isVisible() and ui_window.search_box.text() == ""
    ui_window.banner.chip.close_button.click()
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == SOUNDS - 1 and not ui_window.model.loading)

    # Drag-out carries the result tile's file.
    _select(ui_window, 0)
    urls = ui_window.model.mimeData([ui_window.model.index(0, 0)]).urls()
    assert len(urls) == 1 and Path(urls[0].toLocalFile()).is_file()

    # The context menu of a result tile is the grid's, and its actions run: remove it from the library.
    selection = run(qtbot, ui_window.current_selection())
    assert selection.entity_ids == [result_ids[0]]
    menu = context_menu.build_menu(ui_window, selection, lambda action: None)
    keys = [entry.objectName() for entry in menu.actions() if entry.objectName()]
    for key in ("open-default", "reveal", "export", "find-similar", "remove"):
        assert key in keys
    run(qtbot, ui_window._run_action_by_key("remove"), timeout=30_000)
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == SOUNDS - 2 and not ui_window.model.loading)
    assert result_ids[0] not in ui_window.model.ids_in(0, SOUNDS)
    assert ui_window.banner.label.text() == "Similar to sound_02.wav — sound fingerprint"

    # Escape in the empty box goes back to all assets.
    ui_window.search_box.setFocus()
    qtbot.keyClick(ui_window.search_box, "\x1b")
    qtbot.waitUntil(lambda: ui_window.ranked is None and ui_window.model.rowCount() == SOUNDS - 1)
