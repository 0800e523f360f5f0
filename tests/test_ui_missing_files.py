"""The check for missing files in the window: menu, job, report, relink, grid marks, schedule."""

from __future__ import annotations

import shutil
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtGui import QAction, QHelpEvent
from PySide6.QtWidgets import QToolTip

from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.services.locations import location_check
from dam_desktop.ui.locations.missing_files import MissingFilesUI, install_missing_files
from dam_desktop.ui.window.main_window import MainWindow
from tests.ui_helpers import make_image, run


def _colour(n: int) -> tuple[int, int, int]:
    """Blues and greens only (a red pixel in a grab can only be the missing-file mark), each distinct."""
    return (20 + 9 * n, 90 + 5 * n, 160)


def _import(qtbot: Any, window: MainWindow, folder: Path, count: int = 3) -> tuple[list[Path], list[int]]:
    files = [make_image(folder / f"pic{n}.png", _colour(n)) for n in range(count)]
    report = run(qtbot, window.client.call(lambda world: import_paths(world, files, mode="reference")))
    run(qtbot, window.reload())
    return files, sorted(report.imported)


def _menu_action(window: MainWindow, text: str) -> QAction:
    return next(a for a in window.library_menu.menu.actions() if a.text() == text)


def _check_from_menu(qtbot: Any, window: MainWindow, ui: MissingFilesUI) -> None:
    _menu_action(window, "Check for &Missing Files…").trigger()
    assert ui.job is not None and ui.job in window.jobs.jobs and ui.stop_button.isVisible()
    qtbot.waitUntil(lambda: ui.job is None and ui.dialog is not None and ui.dialog.isVisible())
    assert not window.jobs.busy and not ui.stop_button.isVisible()


def _has_red(window: MainWindow, entity_id: int) -> bool:
    """Whether the tile of `entity_id` shows red (the MISSING mark) where the grid paints it."""
    row = window.model.row_of(entity_id)
    image = window.grid.viewport().grab(window.grid.cell_rect(row)).toImage()
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            colour = image.pixelColor(x, y)
            if colour.red() > 180 and colour.green() < 110 and colour.blue() < 110:
                return True
    return False


@pytest.fixture
def missing_ui(qtbot: Any, ui_window: MainWindow) -> MissingFilesUI:
    ui = install_missing_files(ui_window)
    qtbot.waitUntil(lambda: not len(ui_window.tasks))
    return ui


def test_the_menu_check_reports_a_deleted_file_and_the_grid_marks_it(
    qtbot: Any, ui_window: MainWindow, missing_ui: MissingFilesUI, tmp_path: Path
) -> None:
    files, ids = _import(qtbot, ui_window, tmp_path / "shoot")
    files[1].unlink()
    _check_from_menu(qtbot, ui_window, missing_ui)

    dialog = missing_ui.dialog
    assert dialog is not None
    assert dialog.windowTitle() == "Missing files"
    assert dialog.summary.text().startswith("3 assets checked. 1 file missing.")
    assert dialog.model.rowCount() == 1
    row = [dialog.model.index(0, column).data() for column in range(4)]
    assert row == [
        "pic1.png",
        "Missing",
        str(files[1]),
        "Not in its folder any more: deleted, renamed or moved",
    ]
    assert dialog.relink_button.isEnabled() and dialog.show_button.isEnabled()

    qtbot.waitUntil(lambda: ui_window.grid.delegate.file_problems == {ids[1]: "missing"})
    qtbot.waitUntil(lambda: ui_window.model.info(ids[1]) is not None)
    ui_window.grid.viewport().repaint()
    assert _has_red(ui_window, ids[1])
    assert not _has_red(ui_window, ids[0])

    centre = ui_window.grid.cell_rect(ui_window.model.row_of(ids[1])).center()
    viewport = ui_window.grid.viewport()
    event = QHelpEvent(QEvent.Type.ToolTip, centre, viewport.mapToGlobal(centre))
    missing_ui.eventFilter(viewport, event)
    assert QToolTip.text() == "pic1.png\nFile missing: not in its folder any more: deleted, renamed or moved"


def test_show_missing_in_grid_searches_for_the_marked_assets(
    qtbot: Any, ui_window: MainWindow, missing_ui: MissingFilesUI, tmp_path: Path
) -> None:
    files, ids = _import(qtbot, ui_window, tmp_path / "shoot", count=4)
    files[0].unlink()
    files[2].write_bytes(b"not the picture any more")
    _check_from_menu(qtbot, ui_window, missing_ui)
    assert missing_ui.dialog is not None
    qtbot.waitUntil(lambda: len(missing_ui.reasons) == 2)
    missing_ui.dialog.show_button.click()
    qtbot.waitUntil(lambda: sorted(ui_window.model.ids.tolist()) == [ids[0], ids[2]])
    assert ui_window.search_box.text() == "has:missing-file | has:changed-file"


def test_relink_from_folder_in_the_report_fixes_moved_files_and_clears_their_marks(
    qtbot: Any, ui_window: MainWindow, missing_ui: MissingFilesUI, tmp_path: Path
) -> None:
    files, ids = _import(qtbot, ui_window, tmp_path / "shoot")
    moved = tmp_path / "moved" / "deep"
    moved.mkdir(parents=True)
    shutil.move(files[0], moved / "renamed.png")
    files[2].unlink()
    _check_from_menu(qtbot, ui_window, missing_ui)
    dialog = missing_ui.dialog
    assert dialog is not None and dialog.model.rowCount() == 2
    qtbot.waitUntil(lambda: set(ui_window.grid.delegate.file_problems) == {ids[0], ids[2]})

    missing_ui.choose_folder = lambda parent: tmp_path / "moved"
    dialog.relink_button.click()
    qtbot.waitUntil(lambda: missing_ui.job is None and "Relinked" in dialog.relink_result.text())
    assert (
        dialog.relink_result.text()
        == f"Relinked 1 file from {tmp_path / 'moved'}. 1 missing file not found there."
    )
    assert [p.entity_id for p in dialog.problems] == [ids[2]]
    qtbot.waitUntil(lambda: set(ui_window.grid.delegate.file_problems) == {ids[2]})
    qtbot.waitUntil(lambda: (info := ui_window.model.info(ids[0])) is not None and info.file_path is not None)
    assert ui_window.model.info(ids[0]).file_path == moved / "renamed.png"  # type: ignore[union-attr]


def test_stopping_the_check_from_the_status_bar_keeps_the_library_consistent(
    qtbot: Any,
    ui_window: MainWindow,
    missing_ui: MissingFilesUI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    files, ids = _import(qtbot, ui_window, tmp_path / "shoot", count=6)
    for file in files:
        file.unlink()
    monkeypatch.setattr(location_check, "BATCH_SIZE", 2)
    monkeypatch.setattr(location_check, "PROGRESS_INTERVAL_S", 0.0)
    # The second batch waits until the test has pressed Stop, so the stop lands mid-check.
    go = threading.Event()
    batches: list[int] = []
    inspect = location_check._inspect_chunk

    def held_inspect(*args: Any) -> Any:
        batches.append(1)
        if len(batches) > 1:
            go.wait(20)
        return inspect(*args)

    monkeypatch.setattr(location_check, "_inspect_chunk", held_inspect)
    _menu_action(ui_window, "Check for &Missing Files…").trigger()
    job = missing_ui.job
    assert job is not None
    qtbot.waitUntil(lambda: job.done == 2 and len(batches) == 2)
    assert ui_window.jobs_label.text() == "Checking for missing files: 2 of 6 assets"
    missing_ui.stop_button.click()
    assert job.cancelling and not missing_ui.stop_button.isEnabled()
    go.set()
    qtbot.waitUntil(lambda: missing_ui.dialog is not None and missing_ui.job is None)

    dialog = missing_ui.dialog
    assert dialog is not None and dialog.windowTitle() == "Check for missing files stopped"
    assert dialog.summary.text().startswith("The check was stopped after 2 of 6 assets. 2 files missing.")
    assert not ui_window.jobs.busy and not missing_ui.stop_button.isVisible()
    qtbot.waitUntil(lambda: set(ui_window.grid.delegate.file_problems) == set(ids[:2]))
    assert missing_ui.last_run() is None, "a check the user stopped does not count as run"


def test_closing_the_window_during_a_check_stops_it_before_the_library_closes(
    qtbot: Any,
    ui_window: MainWindow,
    missing_ui: MissingFilesUI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _import(qtbot, ui_window, tmp_path / "shoot", count=4)
    monkeypatch.setattr(location_check, "BATCH_SIZE", 2)
    go = threading.Event()
    calls: list[int] = []
    inspect = location_check._inspect_chunk

    def held_inspect(*args: Any) -> Any:
        calls.append(1)
        go.wait(20)
        return inspect(*args)

    monkeypatch.setattr(location_check, "_inspect_chunk", held_inspect)
    job = missing_ui.start_check()
    assert job is not None
    qtbot.waitUntil(lambda: bool(calls))
    closing = ui_window.tasks.spawn(ui_window.shutdown())
    qtbot.waitUntil(lambda: job.token is not None and job.token.cancelled)
    assert not closing.done(), "the window waits for the check to stop"
    go.set()
    qtbot.waitUntil(closing.done)
    assert not job.running and missing_ui.dialog is None


def test_weekly_schedule_runs_the_check_in_the_background_when_due_and_idle(
    qtbot: Any, ui_window: MainWindow, tmp_path: Path
) -> None:
    _import(qtbot, ui_window, tmp_path / "shoot")
    probe = MissingFilesUI(ui_window)
    assert probe.schedule == "never" and not probe.is_due()
    probe.schedule_menu.aboutToShow.emit()
    assert probe.last_run_action.text() == "Last checked: never"
    probe.schedule_actions["weekly"].trigger()
    assert ui_window.settings.value("missing_files/schedule") == "weekly"
    probe.record_run(datetime.now(UTC) - timedelta(days=8))
    probe._disarm()

    ui = install_missing_files(ui_window)
    assert ui.job is None and ui.auto_timer.isActive(), "never on the start-up path: it waits"
    ui.input.last_input -= 3600  # the user has been idle a while
    ui.auto_timer.timeout.emit()
    assert ui.job is not None and ui.job.summary.startswith("Checking for missing files")
    qtbot.waitUntil(lambda: ui.job is None)
    assert ui.dialog is None, "nothing missing: no report pops up"
    assert ui_window.statusBar().currentMessage() == "Weekly check of 3 assets: no missing files."
    last = ui.last_run()
    assert last is not None and datetime.now(UTC) - last < timedelta(minutes=1)
    assert not ui.is_due()
    ui.schedule_menu.aboutToShow.emit()
    assert ui.last_run_action.text() == "Last checked: today"


def test_weekly_check_waits_while_the_user_is_busy_and_shows_newly_missing_files(
    qtbot: Any, ui_window: MainWindow, tmp_path: Path
) -> None:
    files, ids = _import(qtbot, ui_window, tmp_path / "shoot")
    ui_window.settings.setValue("missing_files/schedule", "weekly")
    ui = install_missing_files(ui_window)
    files[0].unlink()
    ui.auto_timer.timeout.emit()  # the user just typed: not idle
    assert ui.job is None and ui.auto_timer.isActive()
    ui.input.last_input -= 3600
    ui.auto_timer.timeout.emit()
    assert ui.job is not None
    qtbot.waitUntil(lambda: ui.job is None and ui.dialog is not None)
    assert [p.entity_id for p in ui.dialog.problems] == [ids[0]]  # type: ignore[union-attr]


def test_importing_a_missing_file_again_takes_its_mark_off_the_grid(
    qtbot: Any, ui_window: MainWindow, missing_ui: MissingFilesUI, tmp_path: Path
) -> None:
    files, ids = _import(qtbot, ui_window, tmp_path / "shoot")
    kept = tmp_path / "kept.png"
    shutil.move(files[0], kept)
    _check_from_menu(qtbot, ui_window, missing_ui)
    qtbot.waitUntil(lambda: set(ui_window.grid.delegate.file_problems) == {ids[0]})

    job = ui_window.start_import([kept], "reference")
    assert job is not None
    qtbot.waitUntil(lambda: ui_window.grid.delegate.file_problems == {} and not ui_window.jobs.busy)
    assert job.report is not None and job.report.duplicates == 1
