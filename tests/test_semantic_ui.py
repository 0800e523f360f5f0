"""Semantic search in the window: "Find Similar" on a sound, embeddings from the background pipeline,
the box's meaning mode."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel

from dam_desktop.core.stages import SystemStage
from dam_desktop.ui.jobs.background_work import BackgroundWork, install_background_work
from dam_desktop.ui.semantic.semantic_panel import SEMANTIC_VIEW, install_semantic_search
from dam_desktop.ui.window import context_menu
from dam_desktop.ui.window.main_window import MainWindow
from tests.audio_synthesis import write_altered_copy, write_sounds
from tests.ui_helpers import run


def _screenshot(widget: Any, name: str) -> None:
    """With DAM_SCREENSHOTS set to a folder, keep a picture of the window (for the docs)."""
    folder = os.environ.get("DAM_SCREENSHOTS")
    if folder:
        widget.grab().save(str(Path(folder) / name))


def _import(qtbot: Any, client: Any, folders: list[Path]) -> None:
    from dam_desktop.services.ingest.import_service import import_paths

    report = run(qtbot, client.call(lambda world: import_paths(world, folders)), timeout=60_000)
    assert not report.failed


def _processed(background: BackgroundWork, stage: SystemStage) -> int:
    return background.processed.get(int(stage), 0)


def test_find_similar_on_a_sound_lists_its_original_first_with_scores(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    originals = write_sounds(tmp_path / "sounds", count=14)
    copies = tmp_path / "copies"
    copies.mkdir()
    write_altered_copy(originals[4], copies / "take_2_quieter.ogg")
    background = install_background_work(ui_window)
    _import(qtbot, ui_client, [tmp_path / "sounds", copies])
    semantic = install_semantic_search(ui_window)

    # The background pipeline computes the sounds' fingerprints and the text embeddings of their
    # names (15 of each) with no button.
    qtbot.waitUntil(lambda: _processed(background, SystemStage.AUDIO_PROCESSING) == 15, timeout=60_000)
    qtbot.waitUntil(lambda: _processed(background, SystemStage.TEXT_EMBEDDING) == 15, timeout=60_000)

    ui_window.sidebar.select_view("library")
    run(qtbot, ui_window.reload())
    copy_row = next(
        row
        for row in range(ui_window.model.rowCount())
        if run(qtbot, ui_window.model.fetch_infos([int(ui_window.model.ids[row])]))[
            int(ui_window.model.ids[row])
        ].filename
        == "take_2_quieter.ogg"
    )
    ui_window.grid.selectionModel().setCurrentIndex(
        ui_window.model.index(copy_row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    selection = run(qtbot, ui_window.current_selection())
    menu = context_menu.build_menu(ui_window, selection, lambda action: None)
    assert "find-similar" in [entry.objectName() for entry in menu.actions()]

    run(qtbot, ui_window._run_action_by_key("find-similar"), timeout=30_000)
    panel = semantic.panel
    assert ui_window.sidebar.current_view == SEMANTIC_VIEW
    rows = panel.rows()
    assert rows[0][1] == "sound_04.wav"
    assert len(rows) == 14
    assert [score for _, _, score in rows] == sorted((score for _, _, score in rows), reverse=True)
    assert panel.table.item(0, 0).text().startswith("sound_04.wav")
    assert panel.table.item(0, 2).text() == f"{rows[0][2]:.3f}"
    assert panel.title.text().startswith("Similar to take_2_quieter.ogg")

    # A result has the grid's menu: "Find Similar" again, from the second row this time.
    panel.table.selectRow(1)
    second = rows[1]
    run(qtbot, semantic._run_on_results("find-similar"), timeout=30_000)
    assert panel.title.text().startswith(f"Similar to {second[1]}")
    assert second[0] not in [row[0] for row in panel.rows()]
    run(qtbot, ui_window._run_action_by_key("find-similar"), timeout=30_000)
    assert panel.rows() == rows

    # Narrowed by a tag query: only the tagged sounds remain.
    from dam_desktop.services.tags import tag_service

    keep = [rows[3][0], rows[5][0]]

    async def tag(world: Any) -> None:
        async with world.session() as session:
            await tag_service.add_tags(session, keep, ["keeper"])
            await session.commit()

    run(qtbot, ui_client.call(tag))
    panel.filter_box.setText("keeper")
    run(qtbot, panel.refresh(), timeout=30_000)
    assert [row[0] for row in panel.rows()] == keep
    panel.filter_box.setText("")
    run(qtbot, panel.refresh(), timeout=30_000)
    qtbot.waitUntil(lambda: panel.table.item(0, 0) is not None and not panel.table.item(0, 0).icon().isNull())
    _screenshot(ui_window, "find-similar-sound.png")


def test_the_search_box_switches_to_sentences(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    from tests.ui_helpers import make_image

    folder = tmp_path / "pictures"
    for i, name in enumerate(
        ("red_sports_car_at_night", "bowl_of_fresh_fruit", "snowy_mountain_lake", "old_typewriter")
    ):
        make_image(folder / f"{name}.png", (200 - i * 40, 40 + i * 50, 60 + i * 30))
    background = install_background_work(ui_window)
    _import(qtbot, ui_client, [folder])
    run(qtbot, ui_window.reload())
    semantic = install_semantic_search(ui_window)
    qtbot.waitUntil(lambda: _processed(background, SystemStage.TEXT_EMBEDDING) == 4, timeout=120_000)

    semantic.set_semantic_mode(True)
    assert "Describe" in ui_window.search_box.placeholderText()
    ui_window.search_box.setText("apples and pears in a dish")
    run(qtbot, ui_window.apply_search(ui_window.search_box.text()), timeout=60_000)
    assert ui_window.sidebar.current_view == SEMANTIC_VIEW
    # Typing also fired the box's own delayed search, which in this mode asks the same question.
    qtbot.waitUntil(
        lambda: bool(semantic.panel.rows()) and "…" not in semantic.panel.title.text(), timeout=60_000
    )
    assert semantic.panel.rows()[0][1] == "bowl_of_fresh_fruit.png"
    assert "Images were matched by name and tags only" in semantic.panel.notes.text()
    qtbot.waitUntil(lambda: not semantic.panel.table.item(0, 0).icon().isNull())
    _screenshot(ui_window, "semantic-search.png")

    # Back to tag queries: the grid is filtered by the tag language again.
    semantic.set_semantic_mode(False)
    ui_window.sidebar.select_view("library")
    run(qtbot, ui_window.apply_search("type:image"))
    assert ui_window.search_text == "type:image"


def test_assets_imported_in_the_window_get_embeddings_in_the_background(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    background = install_background_work(ui_window)
    write_sounds(tmp_path / "sounds", count=3)
    import_job = ui_window.start_import([tmp_path / "sounds"])
    assert import_job is not None
    qtbot.waitUntil(lambda: _processed(background, SystemStage.AUDIO_PROCESSING) == 3, timeout=60_000)
    qtbot.waitUntil(lambda: _processed(background, SystemStage.TEXT_EMBEDDING) == 3, timeout=60_000)
    qtbot.waitUntil(lambda: not ui_window.jobs.busy)
    assert background.status_action.text() == "Idle: nothing waiting"
