"""A window with every room installed (tags, marks, the shared library's status) whose server is
killed while changes come in and the user selects: each failed read is said in the status bar,
none is raised into a task nobody awaits, and all is read again once the server is back."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any

from dam_desktop.core.events import WorldChanged
from tests.import_media_factory import make_png
from tests.pg_server import PostgresServer, start_server
from tests.ui_helpers import close_window, run


def test_a_window_with_every_room_says_what_it_cannot_read_and_raises_nothing(
    qtbot: Any, ui_loop: asyncio.AbstractEventLoop, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    from PySide6.QtCore import QSettings

    from dam_desktop.app import install_room_ui
    from dam_desktop.ui.tags.tag_editor import UNREAD, TagEditor
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.window.read_failure import SERVER_GONE, TITLE
    from dam_desktop.ui.window.shared_status import install_shared_status
    from dam_desktop.ui.world_client import WorldClient
    from dam_desktop.use_cases.imports import import_files

    told: list[str] = []
    ui_loop.set_exception_handler(lambda _loop, context: told.append(repr(context.get("future"))))
    own = start_server()
    try:
        client = run(qtbot, WorldClient.open(own.new_database(), store_root=tmp_path / "store"))
        window = MainWindow(client, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
        window.show()
        install_room_ui(window)
        status = install_shared_status(window)
        assert status is not None
        for i in range(2):
            make_png(tmp_path / "drop" / f"plate{i}.png", seed=i)
        run(qtbot, client.call(lambda world: import_files(world, [tmp_path / "drop"])))
        qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=15_000)
        ids = window.model.ids_in(0, 2)
        failure = window.status_bar.read_failure_label

        own.kill()
        qtbot.waitUntil(lambda: "server unreachable" in status.label.text(), timeout=30_000)
        window.grid.selectAll()  # the inspector, the tag editor and the marks read the selection
        # Another workstation's change, just before the server went: every room reads again.
        everything = frozenset({"file", "asset", "tags", "marks", "thumbnail"})
        client.changes.changed.emit(WorldChanged(entity_ids=frozenset(ids), components=everything))
        qtbot.waitUntil(lambda: failure.isVisibleTo(window), timeout=15_000)
        assert failure.full_text.startswith(f"{TITLE}: {SERVER_GONE}")
        assert window.model.rowCount() == 2
        # The tag editor reads last (its selection timer is the longest): once it says it could
        # not, every room has tried; then each read ends.
        editor = window.findChild(TagEditor)
        qtbot.waitUntil(lambda: editor.empty_label.text() == UNREAD, timeout=15_000)
        qtbot.waitUntil(lambda: all(task.done() for task in asyncio.all_tasks(ui_loop)), timeout=15_000)
        gc.collect()
        assert not told, told

        own.start()
        qtbot.waitUntil(lambda: "server unreachable" not in status.label.text(), timeout=30_000)
        qtbot.waitUntil(lambda: not failure.isVisibleTo(window), timeout=30_000)
        close_window(qtbot, window, client)
        gc.collect()
        assert not told, told
    finally:
        ui_loop.set_exception_handler(None)
        own.stop()


def test_a_long_result_whose_server_goes_after_the_first_screen_says_it_is_incomplete(
    qtbot: Any, ui_loop: asyncio.AbstractEventLoop, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """The server is killed once the first screen is read: the rest of the result cannot come.
    The grid keeps that screen, says it is only the first part, and reads it all once the
    server is back."""
    from PySide6.QtCore import QSettings
    from sqlalchemy import text

    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.window.read_failure import SERVER_GONE, TITLE
    from dam_desktop.ui.window.shared_status import install_shared_status
    from dam_desktop.ui.world_client import WorldClient
    from dam_desktop.use_cases.result_pages import FIRST_SCREEN
    from tests.test_tag_support import AssetSpec, make_assets

    assets = FIRST_SCREEN + 120
    own = start_server()
    try:
        client = run(qtbot, WorldClient.open(own.new_database(), store_root=tmp_path / "store"))

        async def build(world: Any) -> None:
            async with world.session() as session:
                await make_assets(session, [AssetSpec(name=f"plate{i:04}.png") for i in range(assets)])
                await session.commit()
            async with world.session() as session:
                # The test server commits without waiting for its disk: on its disk before the kill.
                await session.execute(text("CHECKPOINT"))

        run(qtbot, client.call(build), timeout=120_000)
        window = MainWindow(client, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
        window.show()
        status = install_shared_status(window)
        assert status is not None
        gone: list[bool] = []

        async def plates_then_the_server_goes(world: Any) -> Any:
            from dam_desktop.use_cases.result_pages import open_search

            result = await open_search(world, "")
            if not gone:
                gone.append(True)
                own.kill()
            return result

        run(qtbot, window.show_result("Plates", plates_then_the_server_goes))
        failure = window.status_bar.read_failure_label
        said = f"{TITLE}: {SERVER_GONE} · showing only the first {FIRST_SCREEN:,} of the result"
        qtbot.waitUntil(lambda: failure.isVisibleTo(window) and failure.full_text == said, timeout=30_000)
        assert window.model.rowCount() == FIRST_SCREEN
        assert window.count_label.text().startswith(f"at least {FIRST_SCREEN:,} of ")

        own.start()  # back: the window reads the whole result again by itself
        qtbot.waitUntil(lambda: not failure.isVisibleTo(window), timeout=30_000)
        qtbot.waitUntil(lambda: not window.model.streaming and not window.model.incomplete, timeout=30_000)
        assert window.model.rowCount() == assets
        assert window.count_label.text().startswith(f"{window.model.rowCount():,} of ")
        close_window(qtbot, window, client)
    finally:
        own.stop()
