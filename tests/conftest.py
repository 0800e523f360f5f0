"""Shared fixtures: a fresh library folder and an open world on it."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests import backends
from tests.kernel_fixtures import kernel_world  # noqa: F401
from tests.model_fixtures import fake_hub, tiny_checkpoints, tiny_models  # noqa: F401
from tests.pg_server import (
    TEST_BACKEND_VARIABLE,
    PostgresServer,
    start_server,
    test_backend,
    unavailable_reason,
)
from tests.tagging_fixtures import tagging_models_dir, tiny_settings, tiny_weights_file  # noqa: F401
from tests.ui_helpers import ui_client, ui_loop, ui_window  # noqa: F401  (fixtures for the window's tests)
from tests.wallpaper_fixtures import wallpaper_library  # noqa: F401

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Processes the tests start read no keyring of this computer (the tests' own: `file_keyring`).
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")


@pytest.fixture(scope="session", autouse=True)
def _widgets_application(qapp: object) -> object:
    """One QApplication for the whole run, made before any test: a command's test that renders an
    SVG makes a bare QGuiApplication (as the command-line process does), and a window test after
    it in the same process could then make no widget at all (Qt aborts the process)."""
    return qapp


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", backends.MARKER_HELP)
    config.addinivalue_line("markers", backends.NOT_YET_HELP)
    backends.count_folder_opens()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if backends.on_postgresql():
        backends.select_for_postgresql(items)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[_OPENS_BEFORE] = backends.folder_opens()


@pytest.fixture(autouse=True)
def _library_use_is_declared(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails a test whose use of a library the PostgreSQL pass could not see (tests/backends.py)."""
    yield
    item = request.node
    problem = backends.undeclared_library_use(item, item.stash.get(_OPENS_BEFORE, 0))
    if problem is not None:
        pytest.fail(problem, pytrace=False)


_OPENS_BEFORE = pytest.StashKey[int]()


@pytest.fixture
def library_path(tmp_path: Path) -> Path:
    return tmp_path / "library"


@pytest.fixture
def library_location(library_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """Where a test's new library lives: the folder `library_path`, or with
    DAM_TEST_BACKEND=postgresql a fresh shared library's URL (its store recorded at `library_path`),
    ready for `open_world`, `WorldClient.open` or the CLI's `--library`."""
    if not backends.on_postgresql():
        return library_path
    from dam_desktop.core.shared_library import prepare_shared_library

    url: str = request.getfixturevalue("shared_library_url")
    prepare_shared_library(url, library_path)
    return url


@pytest.fixture(scope="module")
def module_library_location(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Path | str:
    """`library_location` for a library the tests of one module build once and share."""
    folder = tmp_path_factory.mktemp("module-library") / "library"
    if not backends.on_postgresql():
        return folder
    from dam_desktop.core.shared_library import prepare_shared_library

    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.new_database()
    request.addfinalizer(lambda: server.drop_database(url))
    prepare_shared_library(url, folder)
    return url


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole run (skipped, saying why, where none can start)."""
    reason = unavailable_reason()
    if reason is not None:
        if test_backend() == "postgresql":
            pytest.fail(f"{TEST_BACKEND_VARIABLE}=postgresql but {reason}")
        pytest.skip(reason)
    server = start_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def shared_library_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one shared library, dropped after the test."""
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.new_database()
    yield url
    server.drop_database(url)


@pytest.fixture
async def world(library_location: Path | str) -> AsyncIterator[object]:
    """An open world on a new library: a folder (SQLite), or with DAM_TEST_BACKEND=postgresql a
    shared library (a fresh PostgreSQL database, its store at `library_path`)."""
    from dam_desktop.world_setup import open_world

    opened = await open_world(library_location)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture(autouse=True)
def file_keyring(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The system keyring, for every test: a real file-backed one (keyrings.alt) in a temp folder,
    so no test reads or writes this computer's own keyring."""
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    previous = keyring.get_keyring()
    ring = PlaintextKeyring()
    ring.file_path = str(tmp_path_factory.mktemp("keyring") / "keyring.cfg")  # type: ignore[misc]
    keyring.set_keyring(ring)
    try:
        yield ring
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _model_work_settles_after_each_test() -> Iterator[None]:
    """A test that started model work (a sentence search loads MiniLM on the shared model thread)
    may end before the load does; wait for the model thread to finish what it runs, so the next
    test's Qt event loop never runs while this one's import of transformers is still going (the
    two together crashed the process now and then). A no-op job queued behind it ends the wait."""
    yield
    module = sys.modules.get("dam_desktop.ml.model_thread")
    shared = getattr(module, "_shared", None) if module is not None else None
    if shared is not None and not shared._closed:
        shared.submit(lambda: None).result(timeout=240)
