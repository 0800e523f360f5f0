"""The main window: it shows the library, selection drives the inspector, menus and settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings

from dam_desktop.ui.window.context_menu import TRASH_VIEW, Selection, applicable
from dam_desktop.ui.window.main_window import MainWindow
from tests.ui_helpers import add_images, add_sound, make_sound, run


def select_row(window: MainWindow, row: int) -> None:
    index = window.model.index(row, 0)
    window.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)


def test_the_window_shows_the_library_and_its_counts(qtbot: Any, ui_client: Any, tmp_path: Path) -> None:
    run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 25)))
    from dam_desktop.ui.window.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ui_client, settings)
    qtbot.addWidget(window)
    window.show()
    run(qtbot, window.refresh())
    assert window.model.rowCount() == 25
    assert "25 assets" in window.count_label.text()
    assert "25" in window.sidebar.nav.item(0).text()
    qtbot.waitUntil(lambda: window.grid.thumbnail_shown(window.model.entity_id(0)))
    run(qtbot, window.shutdown())


def test_selecting_an_image_previews_it_and_lists_its_properties(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    made = run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 3)))
    run(qtbot, ui_window.reload())
    select_row(ui_window, 0)
    inspector = ui_window.inspector
    qtbot.waitUntil(lambda: not inspector.image_preview.image_size.isEmpty())
    assert inspector.title.text() == "image-0002.png"
    assert inspector.image_preview.image_size.width() == 320
    assert inspector.image_preview.source == made[2].path
    assert inspector.property_value("Dimensions").text() == "320 × 200 px"
    assert inspector.property_value("SHA-256").toolTip() == made[2].sha256_hex

    ui_window.grid.selectAll()
    qtbot.waitUntil(lambda: inspector.title.text() == "3 assets selected")
    assert "3 selected" in ui_window.count_label.text()


def test_selecting_a_sound_shows_its_waveform_and_duration(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    sound = make_sound(tmp_path / "src" / "beep.wav", seconds=2.0)
    run(qtbot, ui_client.call(lambda world: add_sound(world, sound)))
    run(qtbot, ui_window.reload())
    select_row(ui_window, 0)
    player = ui_window.inspector.audio_player
    qtbot.waitUntil(lambda: player.waveform.has_peaks)
    assert ui_window.inspector.previews.currentWidget() is player
    assert abs(player.duration - 2.0) < 0.01
    assert player.time_label.text() == "0:00 / 0:02"
    # Clicking the right half of the waveform seeks there.
    from PySide6.QtCore import QPoint, Qt

    waveform = player.waveform
    qtbot.mouseClick(
        waveform, Qt.MouseButton.LeftButton, pos=QPoint(waveform.width() * 3 // 4, waveform.height() // 2)
    )
    assert 0.7 < waveform.position < 0.8
    assert player.time_label.text() == "0:01 / 0:02"


def test_zoom_sort_and_splitter_persist_in_settings(qtbot: Any, ui_client: Any, tmp_path: Path) -> None:
    settings_path = str(tmp_path / "persist.ini")
    first = MainWindow(ui_client, QSettings(settings_path, QSettings.Format.IniFormat))
    qtbot.addWidget(first)
    first.show()
    first.toolbar.zoom_slider.setValue(300)
    first.sort_box.setCurrentIndex(1)  # Name
    first.splitter.setSizes([200, 700, 400])
    sizes = first.splitter.sizes()
    first.close()
    run(qtbot, first.shutdown())

    second = MainWindow(ui_client, QSettings(settings_path, QSettings.Format.IniFormat))
    qtbot.addWidget(second)
    second.show()
    assert second.grid.tile_size == 300
    assert second.toolbar.zoom_slider.value() == 300
    assert second.sort_box.currentText() == "Name"
    # The sidebar and inspector keep their widths; the grid takes whatever the window has left.
    assert second.splitter.sizes()[0] == sizes[0]
    assert second.splitter.sizes()[2] == sizes[2]
    run(qtbot, second.shutdown())


def test_context_menu_offers_only_what_applies(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    run(qtbot, ui_client.call(lambda world: add_images(world, tmp_path / "src", 2)))
    run(qtbot, ui_window.reload())
    select_row(ui_window, 0)
    selection = run(qtbot, ui_window.current_selection())
    mine = ["open-default", "reveal", "copy-path", "export", "remove"]
    keys = [action.key for action in applicable(selection)]
    # Other rooms add entries (e.g. "Find similar") through the same registry.
    assert [key for key in keys if key in mine] == mine
    ui_window.grid.selectAll()
    both = run(qtbot, ui_window.current_selection())
    assert "reveal" not in [action.key for action in applicable(both)]
    trashed = Selection(both.entity_ids, both.infos, TRASH_VIEW)
    trash_keys = {action.key for action in applicable(trashed)}
    assert {"restore", "delete-permanently"} <= trash_keys
    assert "remove" not in trash_keys and "export" not in trash_keys

    run(qtbot, ui_window._run_action_by_key("copy-path"))
    from PySide6.QtGui import QGuiApplication

    copied = QGuiApplication.clipboard().text().splitlines()
    assert len(copied) == 2 and all(Path(line).is_file() for line in copied)


@pytest.mark.sqlite_only("what a fresh process opening a new library folder imports")
def test_opening_the_main_window_does_not_import_torch(tmp_path: Path) -> None:
    script = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "import qasync\n"
        "from dam_desktop.app import create_application\n"
        "app = create_application()\n"
        "async def main():\n"
        "    from dam_desktop.ui.window.main_window import MainWindow\n"
        "    from dam_desktop.ui.world_client import WorldClient\n"
        f"    client = await WorldClient.open(Path({str(tmp_path / 'lib')!r}))\n"
        "    window = MainWindow(client)\n"
        "    window.show()\n"
        "    await window.refresh()\n"
        "    await window.shutdown()\n"
        "    await client.close()\n"
        "    print('torch' in sys.modules)\n"
        "qasync.run(main())\n"
    )
    env = {"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.sqlite_only("library folders and their locks")
def test_library_menu_switches_libraries_and_a_locked_library_is_refused_in_words(
    qtbot: Any, ui_loop: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from dam_desktop.app import AppController
    from dam_desktop.ui.window.library_menu import recent_libraries
    from dam_desktop.ui.world_client import WorldClient

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    controller = AppController()
    assert run(qtbot, controller.open(tmp_path / "first"))
    first = controller.window
    assert first is not None and first.windowTitle().startswith("first")

    # What Library › Open Recent does: the window asks, the controller opens it in a new window.
    first.library_requested.emit(tmp_path / "second")
    qtbot.waitUntil(lambda: controller.window is not first and controller.window is not None)
    second = controller.window
    assert second.windowTitle().startswith("second")
    qtbot.waitUntil(lambda: not first.isVisible())

    holder = run(qtbot, WorldClient.open(tmp_path / "third"))
    try:
        assert not run(qtbot, controller.open(tmp_path / "third"))
    finally:
        run(qtbot, holder.close())
    assert controller.window is second, "a library that cannot be opened leaves the current one open"
    assert shown and "already open in another dam-desktop process" in shown[0]
    recent = recent_libraries(second.settings)
    assert recent[:2] == [tmp_path / "second", tmp_path / "first"], "only libraries that opened are recent"
    run(qtbot, controller.shutdown())
    second.close()


def test_a_sound_shorter_than_a_second_shows_its_length_in_tenths(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    sound = make_sound(tmp_path / "src" / "click.wav", seconds=0.4)
    run(qtbot, ui_client.call(lambda world: add_sound(world, sound)))
    run(qtbot, ui_window.reload())
    select_row(ui_window, 0)
    player = ui_window.inspector.audio_player
    qtbot.waitUntil(lambda: player.waveform.has_peaks)
    assert player.time_label.text() == "0:00.0 / 0:00.4"
    qtbot.waitUntil(lambda: ui_window.inspector.property_value("Duration") is not None)
    assert ui_window.inspector.property_value("Duration").text() == "0:00.4"
