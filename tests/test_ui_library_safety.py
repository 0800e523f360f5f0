"""The window says when its library's database is damaged, and backs the library up on demand and
on a schedule."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QMessageBox

from dam_desktop.core.errors import LibraryDamagedError
from dam_desktop.models import FilePropertiesComponent
from dam_desktop.services import ecs_service
from dam_desktop.ui.jobs.scheduled_backup import (
    FOLDER_KEY,
    LAST_KEY,
    SCHEDULE_KEY,
    backup_due,
    install_scheduled_backup,
)
from dam_desktop.ui.window.damaged_library import install_damaged_library_notice
from dam_desktop.ui.window.main_window import MainWindow
from tests.test_damaged_library import corrupt_a_leaf_page
from tests.ui_helpers import add_images, run

pytestmark = pytest.mark.sqlite_only(
    "damage to a library's SQLite file and backups of a library folder (a shared library's are pg_dump)"
)


def fill(db_path: Path, count: int) -> None:
    with closing(sqlite3.connect(db_path)) as connection, connection:
        connection.executemany("INSERT INTO entities (id) VALUES (?)", ((i,) for i in range(1, count + 1)))
        connection.executemany(
            "INSERT INTO component_file_properties (entity_id, original_filename, file_size_bytes, "
            "mime_type, file_extension, asset_type) VALUES (?, ?, 1, 'image/png', 'png', 'image')",
            ((i, f"picture-{i:05d}.png") for i in range(1, count + 1)),
        )
    with closing(sqlite3.connect(db_path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_damage_found_while_open_shows_the_notice_with_the_repair_command(
    qtbot: Any, ui_window: MainWindow
) -> None:
    notice = install_damaged_library_notice(ui_window)
    db_path = ui_window.client.paths.db_path
    fill(db_path, 4_000)
    corrupt_a_leaf_page(db_path, "component_file_properties")

    async def read_all(world: Any) -> object:
        async with world.session() as session:
            return await ecs_service.get_components_for_entities(
                session, list(range(1, 4_001)), FilePropertiesComponent
            )

    with pytest.raises(LibraryDamagedError):
        run(qtbot, ui_window.client.call(read_all))
    qtbot.waitUntil(lambda: notice.dialog is not None and notice.dialog.isVisible())
    dialog = notice.dialog
    assert dialog is not None
    assert "is damaged" in dialog.text() and "read-only" in dialog.informativeText()
    assert f"--library &quot;{db_path.parent}&quot; repair" in dialog.informativeText() or (
        f'--library "{db_path.parent}" repair' in dialog.informativeText()
    )
    badge = ui_window.statusBar().findChild(QLabel, "damagedLibraryBadge")
    assert badge is not None and badge.isVisible()
    copy = next(b for b in dialog.buttons() if b.text() == "Copy Repair Command")
    copy.click()
    assert QGuiApplication.clipboard().text() == f'dam-desktop --library "{db_path.parent}" repair'
    assert dialog.isVisible()  # copying leaves the notice open
    dialog.button(QMessageBox.StandardButton.Close).click()
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_back_up_now_writes_a_whole_backup_while_the_library_stays_open(
    qtbot: Any, ui_window: MainWindow, tmp_path: Path
) -> None:
    made = run(qtbot, ui_window.client.call(lambda world: add_images(world, tmp_path / "src", 3)))
    backups = install_scheduled_backup(ui_window)
    assert backups.back_up_now.text() == "&Back Up Now…"
    report = run(qtbot, backups.run(tmp_path / "backups", scheduled=False))
    assert report is not None
    copy = tmp_path / "backups" / ui_window.client.library_path.name
    with closing(sqlite3.connect(copy / "dam.sqlite3")) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("SELECT count(*) FROM entities").fetchone()[0] == len(made)
    stored = [p for p in (copy / "files").rglob("*") if p.is_file()]
    assert sorted(p.name for p in stored) == sorted(asset.sha256_hex for asset in made)
    assert "Backed up to" in ui_window.statusBar().currentMessage()
    assert float(str(ui_window.settings.value(LAST_KEY))) > 0


def test_a_scheduled_backup_is_due_after_its_period_with_a_folder_chosen(ui_window: MainWindow) -> None:
    settings = ui_window.settings
    now = time.time()
    settings.setValue(SCHEDULE_KEY, "daily")
    assert not backup_due(settings, now)  # no folder yet
    settings.setValue(FOLDER_KEY, "/backups")
    settings.setValue(LAST_KEY, now - 3_600)
    assert not backup_due(settings, now)
    settings.setValue(LAST_KEY, now - 90_000)
    assert backup_due(settings, now)
    settings.setValue(SCHEDULE_KEY, "weekly")
    assert not backup_due(settings, now)
    settings.setValue(SCHEDULE_KEY, "off")
    settings.setValue(LAST_KEY, 0)
    assert not backup_due(settings, now)
