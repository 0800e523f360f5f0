"""Files leave the window under their real names, and removing assets can be undone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication

from dam_desktop.ui.window.main_window import MainWindow
from tests.ui_helpers import add_images, add_sound, make_sound, run


def _select_rows(window: MainWindow, *rows: int) -> None:
    model = window.grid.selectionModel()
    model.clearSelection()
    for row in rows:
        model.select(window.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select)
    model.setCurrentIndex(window.model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)


def _undo_action(window: MainWindow) -> Any:
    edit = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    return next(a for a in edit.actions() if a.text().startswith("&Undo"))


def test_ctrl_c_puts_the_files_on_the_clipboard_under_their_names(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 2)))
    linked = make_sound(tmp_path / "elsewhere" / "door knock.wav")
    run(qtbot, ui_client.call(lambda world: add_sound(world, linked)))
    run(qtbot, ui_window.reload())
    ui_window.grid.selectAll()

    QGuiApplication.clipboard().clear()
    ui_window.grid.setFocus()
    qtbot.keyClick(ui_window.grid, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ui_window.statusBar().currentMessage() == "Copied 3 files")

    mime = QGuiApplication.clipboard().mimeData()
    names = sorted(url.fileName() for url in mime.urls())
    assert names == ["door knock.wav", "image-0000.png", "image-0001.png"]
    # A linked original that has its name already is handed over as the user's own file.
    assert str(linked) in [url.toLocalFile() for url in mime.urls()]
    assert ui_window.statusBar().currentMessage() == "Copied 3 files"


def test_removing_assets_is_undone_with_ctrl_z_and_redone(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    made = run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 3)))
    run(qtbot, ui_window.reload())
    _select_rows(ui_window, 0, 1)  # newest first: the last two made
    removed = {made[2].entity_id, made[1].entity_id}

    ui_window.remove_action.trigger()
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 1)
    assert not made[2].path.exists() and not made[1].path.exists()
    undo = _undo_action(ui_window)
    qtbot.waitUntil(lambda: undo.isEnabled() and undo.text() == "&Undo Remove 2 assets")

    undo.trigger()
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 3)
    assert removed <= set(ui_window.model.ids.tolist())
    assert made[2].path.is_file() and made[1].path.is_file()
    qtbot.waitUntil(lambda: ui_window.statusBar().currentMessage() == "Restored 2 assets")
    qtbot.waitUntil(lambda: ui_window.counts.trashed == 0)

    ui_window.actions_menu.undo_stack.redo()
    qtbot.waitUntil(lambda: ui_window.model.rowCount() == 1)
    assert not made[2].path.exists()


def test_the_app_exits_cleanly_with_its_files_still_on_the_clipboard(tmp_path: Path) -> None:
    """Copied files left on the clipboard at quitting: the process ends normally (a QMimeData
    that outlived the interpreter crashed it on exit), and the paths stay there as text."""
    picture = tmp_path / "sunset.png"
    picture.write_bytes(b"not read")
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from dam_desktop.ui.grid.outgoing import put_files_on_clipboard\n"
        "app = QApplication([])\n"
        "put_files_on_clipboard([Path(sys.argv[1])])\n"
        "print(QApplication.clipboard().mimeData().urls()[0].fileName())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(picture)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "sunset.png"
