"""Windows on a shared library: another workstation's import arrives in the grid and is announced;
the Library menu connects to a shared library by its URL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QInputDialog, QWidget

from dam_desktop.ui.window.library_menu import LibraryMenu
from tests.import_media_factory import make_png
from tests.ui_helpers import close_window, run


def test_the_library_menu_connects_to_a_shared_library_by_its_url(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    menu = LibraryMenu(parent, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), tmp_path)
    requested: list[object] = []
    menu.open_requested.connect(requested.append)
    replies = iter([" postgresql://ana@db/studio ", ""])  # the URL, then no password (~/.pgpass)
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: (next(replies), True))
    menu.connect_shared.trigger()
    assert requested == ["postgresql://ana@db/studio"]


def test_another_workstations_import_arrives_in_the_grid_and_is_announced(
    qtbot: Any, ui_loop: asyncio.AbstractEventLoop, shared_library_url: str, tmp_path: Path
) -> None:
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.window.shared_status import install_shared_status
    from dam_desktop.ui.world_client import WorldClient
    from dam_desktop.use_cases.imports import import_files

    other = run(qtbot, WorldClient.open(shared_library_url, store_root=tmp_path / "store"))
    client = run(qtbot, WorldClient.open(shared_library_url))
    window = MainWindow(client, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
    window.show()
    status = install_shared_status(window)
    assert status is not None
    run(qtbot, window.refresh())
    assert window.model.rowCount() == 0
    qtbot.waitUntil(lambda: other.world.paths.client in status.label.text(), timeout=15_000)

    for i in range(3):
        make_png(tmp_path / "drop" / f"shot{i}.png", (24, 16), seed=i)
    run(qtbot, other.call(lambda world: import_files(world, [tmp_path / "drop"])))

    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=15_000)
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage() == f"3 new assets from {other.world.paths.client}",
        timeout=15_000,
    )
    close_window(qtbot, window, client)
    run(qtbot, other.close())
