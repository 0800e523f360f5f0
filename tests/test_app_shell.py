"""Start-up stays light: the package, the CLI and the window never import torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dam_desktop import __version__

PROBE = """
import sys
import dam_desktop
import dam_desktop.app
import dam_desktop.ui.window.main_window
import dam_desktop.ui.model_tags.model_tags_view
import dam_desktop.ui.semantic.semantic_search
import dam_desktop.ui.tags.tag_ui
from dam_desktop.cli.main import build_parser
build_parser()
print("torch" in sys.modules)
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120, check=False)


def test_importing_the_app_and_its_commands_does_not_import_torch() -> None:
    result = _run("-c", PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_version_and_help() -> None:
    version = _run("-m", "dam_desktop", "--version")
    assert version.stdout.strip() == f"dam-desktop {__version__}"
    help_text = _run("-m", "dam_desktop", "--help").stdout
    assert "info" in help_text
    assert "--library" in help_text


@pytest.mark.sqlite_only("a new library folder: its name and its dam.sqlite3")
def test_info_describes_a_new_library(tmp_path: Path) -> None:
    library = tmp_path / "My Library"
    result = _run("-m", "dam_desktop", "--library", str(library), "info")
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert lines["library"].strip() == str(library)
    assert lines["entities"].strip() == "0"
    assert (library / "dam.sqlite3").is_file()


def test_unknown_command_is_a_usage_error() -> None:
    result = _run("-m", "dam_desktop", "frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_the_start_up_clock_counts_from_the_process_start_not_the_second_before() -> None:
    """The first-paint figure's clock: a child's own age is never more than the parent saw pass
    from before starting it to after it ended (a whole-second process start time read up to 1 s
    high), and includes the interpreter's start (more than zero)."""
    import time

    code = "from dam_desktop.app import process_seconds; print(process_seconds())"
    for _ in range(3):
        before = time.monotonic()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        elapsed = time.monotonic() - before
        age = float(out.stdout)
        assert 0.0 < age <= elapsed + 0.02  # /proc's clock ticks are 10 ms
