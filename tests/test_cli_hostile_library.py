"""The real `dam-desktop` in a child process against hostile inputs and broken libraries: a link
loop named on the command line, a read-only library folder or database, `files/` replaced by a
plain file. Each gives one line saying what is wrong, never a traceback, and a non-zero exit.

Tests often run as root, who writes anywhere whatever the modes say; the child is then started
without the capabilities that let root bypass file permissions, so it is refused as a user is.
"""

from __future__ import annotations

import ctypes
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.import_media_factory import make_png

REPO = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX links and permissions"),
    pytest.mark.sqlite_only("hostile library folders and files under them"),
]


def _drop_root_file_powers() -> None:
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override, cap_dac_read_search = 24, 1, 2
    for capability in (cap_dac_override, cap_dac_read_search):
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot drop capability")


def dam(library: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "dam_desktop.cli.main", "--library", str(library), *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=_drop_root_file_powers,
        timeout=120,
        check=False,
    )


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode not in (0, None), result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("dam-desktop")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A library with one imported picture."""
    source = make_png(tmp_path / "src" / "first.png", seed=1)
    made = dam(tmp_path / "library", "import", str(source))
    assert made.returncode == 0, made.stdout + made.stderr
    return tmp_path / "library"


def _make_read_only(root: Path) -> None:
    for folder, _, files in os.walk(root):
        for name in files:
            Path(folder, name).chmod(0o444)
    for folder, _, _ in sorted(os.walk(root), reverse=True):
        Path(folder).chmod(0o555)


def _make_writable(root: Path) -> None:
    for folder, _, files in os.walk(root):
        Path(folder).chmod(0o755)
        for name in files:
            Path(folder, name).chmod(0o644)


def test_a_link_loop_named_to_import_is_one_failed_file_counted_in_the_total(
    library: Path, tmp_path: Path
) -> None:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "ping").symlink_to(tmp_path / "pong")
    (tmp_path / "pong").symlink_to(tmp_path / "ping")
    good = make_png(tmp_path / "src" / "second.png", seed=2)
    result = dam(library, "import", str(tmp_path / "loop"), str(tmp_path / "ping"), str(good))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "imported: 1  duplicates: 0  skipped: 0  failed: 2  (of 3 files)" in result.stdout
    assert f"{tmp_path / 'loop'}: symbolic link loop" in result.stdout
    assert f"{tmp_path / 'ping'}: symbolic link loop" in result.stdout


def test_a_read_only_library_folder_is_one_line(library: Path, tmp_path: Path) -> None:
    second = make_png(tmp_path / "src2" / "second.png", seed=2)
    _make_read_only(library)
    try:
        for argv in (("import", str(second)), ("tag", "add", "--ids", "1", "cat")):
            line = _one_line_error(dam(library, *argv))
            assert str(library) in line and "read-only" in line
        # Reading commands open without the lock; whatever they say, it is one line.
        _one_line_error(dam(library, "list"))
    finally:
        _make_writable(library)
    assert dam(library, "list").returncode == 0


def test_a_read_only_database_lists_but_an_import_stops_with_one_line(library: Path, tmp_path: Path) -> None:
    stored_before = sorted(p.name for p in (library / "files").rglob("*") if p.is_file())
    database = library / "dam.sqlite3"
    database.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        listed = dam(library, "list")
        assert listed.returncode == 0 and "first.png" in listed.stdout, listed.stderr
        second = make_png(tmp_path / "src2" / "second.png", seed=2)
        result = dam(library, "import", str(second))
    finally:
        database.chmod(0o644)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "stopped: the library's database cannot be written" in result.stdout
    # The copy staged for the refused row is taken back out of the store at once.
    assert sorted(p.name for p in (library / "files").rglob("*") if p.is_file()) == stored_before
    assert "second.png" not in dam(library, "list").stdout


def test_files_replaced_by_a_plain_file_is_one_line_and_nothing_is_lost(library: Path) -> None:
    """A writer refuses to open it (it would store copies there); nothing is moved or deleted."""
    stored = [p for p in (library / "files").rglob("*") if p.is_file()]
    kept = library.parent / "kept-files"
    (library / "files").rename(kept)
    (library / "files").write_text("not a folder")
    second = make_png(library.parent / "src2" / "second.png", seed=2)
    line = _one_line_error(dam(library, "import", str(second)))
    assert f"{library / 'files'} is not a folder" in line
    assert (library / "files").read_text() == "not a folder"
    listed = dam(library, "list")  # reading needs no files/: the list still answers
    assert listed.returncode == 0 and "first.png" in listed.stdout
    (library / "files").unlink()
    kept.rename(library / "files")
    assert all(p.is_file() for p in stored)
    assert "first.png" in dam(library, "list").stdout
