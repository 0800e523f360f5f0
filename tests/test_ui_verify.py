"""The window's check offers verifying contents: a damaged stored copy is listed and marked."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction

from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.ui.locations.missing_files import install_missing_files
from dam_desktop.ui.window.main_window import MainWindow
from tests.ui_helpers import make_image, run


def _menu_action(window: MainWindow, text: str) -> QAction:
    return next(a for a in window.library_menu.menu.actions() if a.text() == text)


def test_verify_from_the_menu_lists_a_damaged_stored_copy_and_marks_it(
    qtbot: Any, ui_window: MainWindow, tmp_path: Path
) -> None:
    ui = install_missing_files(ui_window)
    qtbot.waitUntil(lambda: not len(ui_window.tasks))
    files = [make_image(tmp_path / "shoot" / f"pic{n}.png", (20 + 9 * n, 90, 160)) for n in range(2)]
    report = run(qtbot, ui_window.client.call(lambda world: import_paths(world, files)))
    run(qtbot, ui_window.reload())
    damaged_id = sorted(report.imported)[1]
    sha = hashlib.sha256(files[1].read_bytes()).hexdigest()
    stored = ui_window.client.paths.stored_file_path(sha)
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0xFF
    stored.write_bytes(bytes(data))

    _menu_action(ui_window, "&Verify Files' Contents…").trigger()
    assert ui.job is not None and ui.job.title == "Verifying the files' contents"
    qtbot.waitUntil(
        lambda: ui.job is None and ui.dialog is not None and ui.dialog.isVisible(), timeout=30_000
    )
    dialog = ui.dialog
    assert dialog is not None and dialog.model.rowCount() == 1
    row = [dialog.model.index(0, column).data() for column in range(4)]
    assert row[0] == "pic1.png" and row[1] == "Changed" and "damaged" in row[3]
    qtbot.waitUntil(lambda: ui_window.grid.delegate.file_problems == {damaged_id: "changed"})
