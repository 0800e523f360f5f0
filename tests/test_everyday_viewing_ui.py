"""The preview overlay on Space, the full-screen viewer, and the Help menu."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction

from dam_desktop.ui.window.main_window import MainWindow
from tests.ui_helpers import add_images, add_sound, make_sound, run


def _select(window: MainWindow, row: int) -> None:
    window.grid.selectionModel().setCurrentIndex(
        window.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )


def test_space_previews_the_current_asset_large_and_arrows_walk_the_grid(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    made = run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 3)))
    sound = make_sound(tmp_path / "sounds" / "chime.wav", seconds=0.5)
    run(qtbot, ui_client.call(lambda world: add_sound(world, sound)))
    run(qtbot, ui_window.reload())
    overlay = ui_window.menus.preview
    qtbot.waitUntil(lambda: all(ui_window.model.info_at(r) is not None for r in range(4)))
    names = [info.filename for r in range(4) if (info := ui_window.model.info_at(r)) is not None]
    assert names[0] == "chime.wav"  # newest first
    ui_window.activateWindow()
    ui_window.grid.setFocus()
    _select(ui_window, 1)

    qtbot.keyClick(ui_window.grid, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: overlay.isVisible())
    # It covers the window, and shows the picture itself, not the 256 px thumbnail.
    assert overlay.geometry() == ui_window.rect()
    qtbot.waitUntil(lambda: overlay.image.image_size.width() == 320)
    assert overlay.title.text() == names[1] == "image-0002.png"
    assert "2 of 4" in overlay.detail.text()
    assert overlay.image.source is not None and overlay.image.source.read_bytes() == made[2].path.read_bytes()

    qtbot.keyClick(overlay, Qt.Key.Key_Right)
    assert ui_window.grid.currentIndex().row() == 2
    assert overlay.title.text() == names[2] and "3 of 4" in overlay.detail.text()
    assert [i.row() for i in ui_window.grid.selectionModel().selectedIndexes()] == [2]

    # Back to the top: the sound shows as a waveform with its player.
    qtbot.keyClick(overlay, Qt.Key.Key_Home)
    assert overlay.title.text() == "chime.wav"
    qtbot.waitUntil(lambda: overlay.sound.waveform.has_peaks)
    assert overlay.pages.currentWidget() is not overlay.image

    qtbot.keyClick(overlay, Qt.Key.Key_Escape)
    assert not overlay.isVisible()
    assert ui_window.grid.currentIndex().row() == 0


def test_f11_opens_the_full_screen_viewer_and_leaving_restores_the_window(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 2)))
    run(qtbot, ui_window.reload())
    _select(ui_window, 0)
    overlay = ui_window.menus.preview
    full = next(a for a in ui_window.findChildren(QAction) if a.text() == "&Full-Screen Viewer")
    full.trigger()
    assert overlay.isVisible()
    qtbot.waitUntil(ui_window.isFullScreen)
    qtbot.keyClick(overlay, Qt.Key.Key_S)
    assert overlay.slideshow.isActive()
    overlay.slideshow.timeout.emit()  # the next slide, without waiting for the timer
    assert ui_window.grid.currentIndex().row() == 1
    qtbot.keyClick(overlay, Qt.Key.Key_Escape)
    assert not overlay.isVisible() and not overlay.slideshow.isActive()
    qtbot.waitUntil(lambda: not ui_window.isFullScreen())


def test_help_lists_the_shortcuts_the_window_answers_and_about_names_versions(
    qtbot: Any, ui_window: MainWindow
) -> None:
    help_menu = ui_window.menus.help
    assert [a.text() for a in ui_window.menuBar().actions()][-1] == "&Help"
    sheet = help_menu.show_shortcuts()
    keys = sheet.shown_keys()  # type: ignore[attr-defined]
    assert keys["Undo"] == "Ctrl+Z"
    assert keys["Quick Preview"] == "Space"
    assert keys["Full-Screen Viewer"] == "F11"
    assert keys["Remove from Library"] == "Del"
    about = help_menu.show_about()
    parts = {part.name: part for part in about.parts}  # type: ignore[attr-defined]
    from PySide6 import __version__ as pyside

    assert parts["PySide6-Essentials"].version == pyside
    assert parts["PySide6-Essentials"].licence.startswith("LGPL")
    assert parts["SQLite"].version.count(".") == 2


def test_space_on_a_sound_in_the_inspector_plays_it_there_instead(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    sound = make_sound(tmp_path / "sounds" / "knock.wav", seconds=0.5)
    run(qtbot, ui_client.call(lambda world: add_sound(world, sound)))
    run(qtbot, ui_window.reload())
    player = ui_window.inspector.audio_player
    player.outputs_available = lambda: False  # the same on every machine: no sound device
    _select(ui_window, 0)
    qtbot.waitUntil(lambda: player.waveform.has_peaks)
    ui_window.grid.setFocus()
    qtbot.keyClick(ui_window.grid, Qt.Key.Key_Space)
    assert not ui_window.menus.preview.isVisible()
    assert "No sound output device" in player.notice.text()


def test_open_recent_tells_libraries_of_the_same_name_apart(ui_window: MainWindow, tmp_path: Path) -> None:
    from dam_desktop.ui.window.library_menu import remember_library

    for place in ("studio", "home"):
        (tmp_path / place / "lib").mkdir(parents=True)
        remember_library(ui_window.settings, tmp_path / place / "lib")
    menu = ui_window.library_menu
    menu.recent_menu.aboutToShow.emit()
    texts = [action.text() for action in menu.recent_menu.actions()]
    assert f"lib  —  {tmp_path / 'home'}" in texts and f"lib  —  {tmp_path / 'studio'}" in texts
