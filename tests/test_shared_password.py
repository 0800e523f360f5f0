"""A shared library's password lives in the system keyring (a real file-backed keyring here,
keyrings.alt's), never in a URL the app keeps; a server that asks for it gets it from there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyrings.alt.file import PlaintextKeyring
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QInputDialog, QWidget

from dam_desktop.core.errors import LibraryError
from dam_desktop.core.server_password import SERVICE
from dam_desktop.core.world import World
from dam_desktop.ui.window.library_menu import LibraryMenu, recent_libraries, remember_library
from tests.pg_server import PostgresServer, start_server


def _menu(qtbot: Any, tmp_path: Path, answers: list[str], monkeypatch: pytest.MonkeyPatch) -> list[object]:
    parent = QWidget()
    qtbot.addWidget(parent)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    menu = LibraryMenu(parent, settings, tmp_path)
    requested: list[object] = []
    menu.open_requested.connect(requested.append)
    replies = iter(answers)
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: (next(replies), True))
    menu.connect_shared.trigger()
    return requested


def test_connecting_keeps_the_password_in_the_keyring_and_opens_the_url_without_it(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file_keyring: PlaintextKeyring
) -> None:
    requested = _menu(qtbot, tmp_path, [" postgresql://ana@db/studio ", "s3cret"], monkeypatch)
    assert requested == ["postgresql://ana@db/studio"]
    assert keyring.get_password(SERVICE, "postgresql://ana@db/studio") == "s3cret"
    reopened = PlaintextKeyring()  # as the next start of the app finds it, in the keyring's file
    reopened.file_path = file_keyring.file_path
    assert reopened.get_password(SERVICE, "postgresql://ana@db/studio") == "s3cret"


def test_a_password_written_in_the_url_goes_to_the_keyring_too(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file_keyring: PlaintextKeyring
) -> None:
    requested = _menu(qtbot, tmp_path, ["postgresql://ana:inline@db/studio", ""], monkeypatch)
    assert requested == ["postgresql://ana@db/studio"]
    assert keyring.get_password(SERVICE, "postgresql://ana@db/studio") == "inline"


def test_recent_libraries_keep_a_shared_librarys_url_without_its_password(tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    remember_library(settings, tmp_path / "lib")
    remember_library(settings, "postgresql://ana:s3cret@db/studio")
    settings.sync()
    assert recent_libraries(settings) == ["postgresql://ana@db/studio", tmp_path / "lib"]
    assert "s3cret" not in (tmp_path / "s.ini").read_text()


@pytest.fixture
def password_server(postgres_server: PostgresServer) -> Iterator[tuple[PostgresServer, str]]:
    """A server of the test's own where role `ana` must give her password; a database she owns."""
    own = start_server()
    try:
        hba = own.root / "data" / "pg_hba.conf"
        hba.write_text("local all ana scram-sha-256\n" + hba.read_text())
        own.psql("CREATE ROLE ana LOGIN PASSWORD 's3cret'")
        own.psql("CREATE DATABASE studio OWNER ana")
        own.psql("SELECT pg_reload_conf()")
        yield own, f"postgresql://ana@/studio?host={own.socket_dir}"
    finally:
        own.stop()


async def test_a_server_that_asks_for_the_password_gets_the_one_in_the_keyring(
    password_server: tuple[PostgresServer, str], tmp_path: Path, file_keyring: PlaintextKeyring
) -> None:
    _, url = password_server
    with pytest.raises(LibraryError, match="password"):
        await World.open_shared(url, tmp_path / "store")  # nothing saved yet: refused, in words

    keyring.set_password(SERVICE, url, "s3cret")
    world = await World.open_shared(url, tmp_path / "store")
    try:
        assert await world.peers() == []
    finally:
        await world.close()
