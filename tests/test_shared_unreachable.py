"""A shared library whose server cannot be reached: one plain line at the command line and in the
window, and a window already open keeps what it shows until the server is back."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dam_desktop.core.world import World
from dam_desktop.ui.window.read_failure import SERVER_GONE
from tests.import_media_factory import make_png
from tests.pg_server import PostgresServer, start_server
from tests.ui_helpers import close_window, run

REPO_ROOT = Path(__file__).resolve().parent.parent
MESSAGE_START = "cannot reach the shared library at postgresql://"
CLI_START = "dam-desktop: " + MESSAGE_START


def dam(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "dam_desktop.cli.main", "--library", url, *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO_ROOT, timeout=120)


@pytest.fixture
def stopped_server(postgres_server: PostgresServer, tmp_path: Path) -> Iterator[tuple[PostgresServer, str]]:
    """A server of this test's own holding a library with two assets, then shut down."""
    own = start_server()
    try:
        url = own.new_database()

        async def fill() -> None:
            world = await World.open_shared(url, tmp_path / "store")
            await world.close()
            from dam_desktop.use_cases.imports import import_files
            from dam_desktop.world_setup import open_world

            opened = await open_world(url)
            try:
                for i in range(2):
                    make_png(tmp_path / "drop" / f"plate{i}.png", seed=i)
                assert len((await import_files(opened, [tmp_path / "drop"])).imported) == 2
            finally:
                await opened.close()

        asyncio.run(fill())
        own.shut_down()
        yield own, url
    finally:
        own.stop()


@pytest.mark.parametrize(
    "url",
    ["postgresql://nobody@127.0.0.1:1/studio", "postgresql://nobody@/studio?host=/nonexistent-socket-dir"],
    ids=["closed-port", "no-socket"],
)
def test_the_command_line_says_in_one_line_that_no_server_answers(url: str) -> None:
    for args in (["list"], ["info"], ["search", "cat"]):
        result = dam(url, *args)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(CLI_START), (args, result.stderr)
        assert "Check that the server is running" in lines[0]


def test_the_command_line_says_so_when_the_libraries_server_has_stopped(
    stopped_server: tuple[PostgresServer, str], tmp_path: Path
) -> None:
    server, url = stopped_server
    make_png(tmp_path / "more" / "late.png", seed=9)
    more = str(tmp_path / "more")
    commands = (["list"], ["import", "--no-process", more], ["tag", "add", "--ids", "1", "x"])
    for args in commands:
        result = dam(url, *args)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(CLI_START), (args, result.stderr)
    server.start()
    listed = dam(url, "list")
    assert listed.returncode == 0 and listed.stdout.count("plate") == 2


def test_the_window_says_in_one_line_that_the_shared_library_cannot_be_reached(
    qtbot: Any, ui_loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from dam_desktop.app import AppController

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, title, text: shown.append((title, text)))

    async def connect() -> bool:
        return await AppController().open("postgresql://nobody@127.0.0.1:1/studio")

    assert run(qtbot, connect()) is False
    ((title, text),) = shown
    assert title == "Cannot open library"
    assert text.startswith(MESSAGE_START) and "\n" not in text


def test_an_open_window_keeps_its_grid_while_the_server_is_away_and_says_so(
    qtbot: Any, ui_loop: asyncio.AbstractEventLoop, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    from PySide6.QtCore import QSettings

    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.window.shared_status import install_shared_status
    from dam_desktop.ui.world_client import WorldClient

    own = start_server()
    try:
        url = own.new_database()
        client = run(qtbot, WorldClient.open(url, store_root=tmp_path / "store"))
        window = MainWindow(client, QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat))
        window.show()
        status = install_shared_status(window)
        assert status is not None
        for i in range(2):
            make_png(tmp_path / "drop" / f"plate{i}.png", seed=i)
        from dam_desktop.use_cases.imports import import_files

        run(qtbot, client.call(lambda world: import_files(world, [tmp_path / "drop"])))
        qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=15_000)

        own.kill()
        qtbot.waitUntil(lambda: "server unreachable" in status.label.text(), timeout=30_000)
        assert window.model.rowCount() == 2, "the grid keeps what it has loaded"
        run(qtbot, window.reload())  # a refresh while the server is away: said, not raised
        failure = window.status_bar.read_failure_label
        assert failure.isVisibleTo(window) and failure.full_text.endswith("showing what was read before")
        assert SERVER_GONE in failure.full_text, failure.full_text  # in words, not the socket's path
        assert window.model.rowCount() == 2
        own.start()
        qtbot.waitUntil(lambda: "server unreachable" not in status.label.text(), timeout=30_000)
        # Back: the window reads again by itself, and the label goes with the stale rows. (The
        # test server commits without waiting for its disk: killed, it may come back with less.)
        qtbot.waitUntil(lambda: not failure.isVisibleTo(window), timeout=30_000)
        from dam_desktop.use_cases.library import library_counts

        assert window.model.rowCount() == run(qtbot, client.call(library_counts)).assets
        close_window(qtbot, window, client)
    finally:
        own.stop()
