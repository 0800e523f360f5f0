"""One window per library: a second `dam-desktop FILE...` hands its files to the running window.

Real windows (pytest-qt, offscreen), real second processes of the `dam-desktop` entry point and
real image files; the sockets live in a runtime folder of the test's own, so windows of other
test runs on this computer never answer.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dam_desktop.handoff import USER_KEY, library_key, socket_name
from dam_desktop.launch import split_files, wants_gui
from dam_desktop.library_opening import begin_opening
from dam_desktop.services.search.sorting import SortKey
from tests.test_startup_grid import make_library
from tests.ui_helpers import make_image, run

pytestmark = pytest.mark.sqlite_only("one window per library folder, found through the folder's lock")


@pytest.fixture
def runtime_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    # Short: a Unix socket's path must fit in 108 bytes, and pytest's tmp_path can be long.
    folder = Path(tempfile.mkdtemp(prefix="dam-rt-"))
    folder.chmod(0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(folder))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("DAM_DESKTOP_LIBRARY", str(tmp_path / "default-library"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def leave_stale_socket(name: str) -> None:
    """What a crashed window leaves behind: a socket file nobody listens on."""
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(name)
    stale.close()
    assert Path(name).exists()


def launch(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DAM_DESKTOP_REPORT_FIRST_PAINT="quit")
    return subprocess.Popen(
        [sys.executable, "-m", "dam_desktop", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finished(qtbot: Any, process: subprocess.Popen[str]) -> tuple[int, str]:
    """Wait for a second launch while this process's window keeps answering."""
    qtbot.waitUntil(lambda: process.poll() is not None, timeout=60_000)
    _out, err = process.communicate()
    return process.returncode, err


def shown_names(window: Any) -> list[str]:
    model = window.model
    return [model.data(model.index(row, 0)) for row in range(model.rowCount())]


def open_window(qtbot: Any, root: Path, files: list[Path] | None = None) -> Any:
    from dam_desktop.app import AppController

    controller = AppController()
    assert run(qtbot, controller.start(begin_opening(root, SortKey.ADDED, True), files or []), 60_000)
    return controller


def close_window(qtbot: Any, controller: Any) -> None:
    import shiboken6

    window = controller.window
    window.close()
    run(qtbot, controller.shutdown())
    window.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(window))


@pytest.mark.slow
def test_a_second_launch_on_the_library_hands_its_files_to_the_running_window(
    qtbot: Any, ui_loop: Any, runtime_dir: Path, tmp_path: Path
) -> None:
    root = tmp_path / "lib"
    run(qtbot, make_library(root, images=2))
    photo = make_image(tmp_path / "incoming" / "sunset.png", (250, 120, 40))
    controller = open_window(qtbot, root)
    window = controller.window
    window.showMinimized()
    try:
        second = launch("--library", str(root), str(photo))
        status, err = finished(qtbot, second)
        assert status == 0, err
        assert "first-paint" not in err, "the second launch opened a window of its own"
        qtbot.waitUntil(lambda: "sunset.png" in shown_names(window), timeout=60_000)
        assert not window.isMinimized(), "the window did not come to the front"

        # Launched again with no files, it only brings that window forward.
        window.showMinimized()
        status, err = finished(qtbot, launch("--library", str(root)))
        assert status == 0 and "first-paint" not in err and "Traceback" not in err, err
        qtbot.waitUntil(lambda: not window.isMinimized())
    finally:
        close_window(qtbot, controller)


@pytest.mark.slow
def test_files_without_a_library_go_to_the_running_window_past_a_crashed_ones_socket(
    qtbot: Any, ui_loop: Any, runtime_dir: Path, tmp_path: Path
) -> None:
    root = tmp_path / "lib"
    run(qtbot, make_library(root, images=2))
    # An earlier window crashed and left both its socket files behind.
    leave_stale_socket(socket_name(USER_KEY))
    leave_stale_socket(socket_name(library_key(root)))
    photo = make_image(tmp_path / "incoming" / "open with.png", (10, 200, 90))
    controller = open_window(qtbot, root)
    window = controller.window
    try:
        # A file manager's "Open with": no --library, from another working folder.
        second = launch(str(photo))
        status, err = finished(qtbot, second)
        assert status == 0, err
        qtbot.waitUntil(lambda: "open with.png" in shown_names(window), timeout=60_000)
        assert not (tmp_path / "default-library").exists(), "the default library was opened instead"
    finally:
        close_window(qtbot, controller)


@pytest.mark.slow
def test_with_no_window_running_the_launch_opens_the_window_and_imports_the_files(
    qtbot: Any, ui_loop: Any, runtime_dir: Path, tmp_path: Path
) -> None:
    root = tmp_path / "lib"
    photos = [make_image(tmp_path / "in" / f"first-{n}.png", (40 * n, 90, 200)) for n in range(2)]
    controller = open_window(qtbot, root, photos)
    try:
        qtbot.waitUntil(
            lambda: {"first-0.png", "first-1.png"} <= set(shown_names(controller.window)), timeout=60_000
        )
    finally:
        close_window(qtbot, controller)


@pytest.mark.slow
def test_a_crashed_windows_socket_does_not_stop_the_next_launch(runtime_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    leave_stale_socket(socket_name(library_key(root)))
    done = subprocess.run(
        [sys.executable, "-m", "dam_desktop", "--library", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen", DAM_DESKTOP_REPORT_FIRST_PAINT="quit"),
    )
    assert done.returncode == 0, done.stderr
    assert any(line.startswith("first-paint") for line in done.stderr.splitlines()), done.stderr


def test_files_on_the_command_line_open_the_window_and_commands_stay_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = make_image(tmp_path / "a photo.png", (1, 2, 3))
    monkeypatch.chdir(tmp_path)
    assert wants_gui([str(photo)])
    assert wants_gui(["a photo.png", "-platform", "offscreen"])
    assert wants_gui(["--library", str(tmp_path / "lib"), "./not-yet-there.png"])
    assert split_files(["a photo.png", str(photo), "-platform", "offscreen"]) == (
        ["a photo.png", str(photo)],
        ["-platform", "offscreen"],
    )
    assert not wants_gui(["list"])
    assert not wants_gui(["import", "a photo.png"])
    assert not wants_gui(["serach", "cat"]), "a mistyped command is still the parser's to name"
    (tmp_path / "search").mkdir()
    assert not wants_gui(["search", "cat"]), "a command wins over a folder of its name"
