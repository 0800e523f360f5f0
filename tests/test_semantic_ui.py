"""Semantic search in the window: "Find Similar" on a sound and the box's ≈ mode show their results
in the main grid, ranked, with scores, a header naming the method and the narrowing query as a chip;
embeddings come from the background pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel

from dam_desktop.core.stages import SystemStage
from dam_desktop.ui.grid.grid_model import SCORE_ROLE
from dam_desktop.ui.jobs.background_work import BackgroundWork, install_background_work
from dam_desktop.ui.semantic.semantic_search import install_semantic_search
from dam_desktop.ui.window import context_menu
from dam_desktop.ui.window.main_window import MainWindow
from tests.audio_synthesis import write_altered_copy, write_sounds
from tests.ui_helpers import run


def _import(qtbot: Any, client: Any, folders: list[Path]) -> None:
    from dam_desktop.services.ingest.import_service import import_paths

    report = run(qtbot, client.call(lambda world: import_paths(world, folders)), timeout=60_000)
    assert not report.failed


def _processed(background: BackgroundWork, stage: SystemStage) -> int:
    return background.processed.get(int(stage), 0)


def grid_rows(qtbot: Any, window: MainWindow) -> list[tuple[int, str, float | None]]:
    """(entity id, file name, score badge) of the grid's tiles, top to bottom."""
    model = window.model
    ids = model.ids_in(0, model.rowCount())
    infos = run(qtbot, model.fetch_infos(ids))
    scores = [model.data(model.index(row, 0), SCORE_ROLE) for row in range(len(ids))]
    return [(eid, infos[eid].filename, score) for eid, score in zip(ids, scores, strict=True)]


def select_row(window: MainWindow, row: int) -> None:
    window.grid.selectionModel().setCurrentIndex(
        window.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )


def test_find_similar_on_a_sound_ranks_its_original_first_in_the_grid(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    originals = write_sounds(tmp_path / "sounds", count=14)
    copies = tmp_path / "copies"
    copies.mkdir()
    write_altered_copy(originals[4], copies / "take_2_quieter.ogg")
    background = install_background_work(ui_window)
    _import(qtbot, ui_client, [tmp_path / "sounds", copies])
    install_semantic_search(ui_window)

    # The background pipeline computes the sounds' fingerprints and the text embeddings of their
    # names (15 of each) with no button.
    qtbot.waitUntil(lambda: _processed(background, SystemStage.AUDIO_PROCESSING) == 15, timeout=60_000)
    qtbot.waitUntil(lambda: _processed(background, SystemStage.TEXT_EMBEDDING) == 15, timeout=60_000)

    run(qtbot, ui_window.reload())
    copy_row = next(n for n, row in enumerate(grid_rows(qtbot, ui_window)) if row[1] == "take_2_quieter.ogg")
    select_row(ui_window, copy_row)
    selection = run(qtbot, ui_window.current_selection())
    menu = context_menu.build_menu(ui_window, selection, lambda action: None)
    assert "find-similar" in [entry.objectName() for entry in menu.actions()]

    run(qtbot, ui_window._run_action_by_key("find-similar"), timeout=30_000)
    rows = grid_rows(qtbot, ui_window)
    assert rows[0][1] == "sound_04.wav"
    assert len(rows) == 14
    scores = [score for _, _, score in rows]
    assert all(score is not None for score in scores)
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]
    # Each tile's badge: the score, in one format for the whole result.
    assert ui_window.model.score_text(rows[0][0]) == f"{rows[0][2]:.2f}"
    assert ui_window.banner.isVisible()
    assert ui_window.banner.label.text() == "Similar to take_2_quieter.ogg — sound fingerprint"
    assert not ui_window.banner.chip.isVisible()

    # A result tile has the grid's menu: "Find Similar" again, from the second tile this time.
    select_row(ui_window, 1)
    second = rows[1]
    run(qtbot, ui_window._run_action_by_key("find-similar"), timeout=30_000)
    assert ui_window.banner.label.text().startswith(f"Similar to {second[1]}")
    assert second[0] not in [row[0] for row in grid_rows(qtbot, ui_window)]

    # Narrowed by a tag query: only the tagged sounds remain, and the chip says so until removed.
    from dam_desktop.use_cases.tags import add_tags

    again = grid_rows(qtbot, ui_window)
    keep = [again[3][0], again[5][0]]
    run(qtbot, ui_client.call(lambda world: add_tags(world, keep, ["keeper"])))
    run(qtbot, ui_window.ranked_flow.narrow("keeper"), timeout=30_000)
    # (the tagging's change event may reload the result once more: wait for the grid to settle)
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 2 and not ui_window.model.loading, timeout=30_000)
    assert [row[0] for row in grid_rows(qtbot, ui_window)] == keep
    assert ui_window.banner.chip.isVisible()
    assert ui_window.banner.chip.label.text() == "Only: keeper"
    ui_window.banner.chip.close_button.click()
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == len(again))
    assert not ui_window.banner.chip.isVisible()

    # Back to All Assets: the library, no header, no scores.
    ui_window.banner.button.click()
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 15 and ui_window.ranked is None)
    assert not ui_window.banner.isVisible()
    assert ui_window.model.data(ui_window.model.index(0, 0), SCORE_ROLE) is None


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

    off_icon = semantic.toggle.icon().cacheKey()
    semantic.set_semantic_mode(True)
    # The toggle shows its state: another icon, a tooltip and a placeholder that say ≈ is on.
    assert semantic.toggle.isChecked() and semantic.toggle.icon().cacheKey() != off_icon
    assert semantic.toggle.toolTip().startswith("≈ on")
    assert "Describe" in ui_window.search_box.placeholderText()
    ui_window.search_box.setText("apples and pears in a dish")
    model = ui_window.model
    qtbot.waitUntil(lambda: model.ranking is not None and not model.loading, timeout=60_000)
    rows = grid_rows(qtbot, ui_window)
    assert rows[0][1] == "bowl_of_fresh_fruit.png"
    assert rows[0][2] is not None
    assert ui_window.banner.label.text().startswith("Matching “apples and pears in a dish”")
    assert "Images were matched by name and tags only" in ui_window.banner.notes.text()

    # Back to tag queries: the same words, as a tag query, and the toggle reads off again.
    semantic.set_semantic_mode(False)
    assert semantic.toggle.toolTip().startswith("≈ off")
    qtbot.waitUntil(lambda: ui_window.ranked is None and ui_window.search_text == ui_window.search_box.text())
    run(qtbot, ui_window.apply_search("type:image"))
    assert ui_window.search_text == "type:image"
    assert ui_window.model.rowCount() == 4
