"""The CLI starts with only what a command line needs: `--version` and `--help` load no database,
numeric or GUI library, and a command loads its own module, not every other command's."""

from __future__ import annotations

import argparse
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from dam_desktop.cli import commands
from dam_desktop.cli.main import build_parser

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.sqlite_only(
    "`list`, `search` and `show` read a library folder's SQLite file without the world"
)
HEAVY = ("sqlalchemy", "numpy", "PySide6", "PIL", "torch", "aiosqlite")

PROBE = """
import json, sys
from dam_desktop.launch import main
try:
    status = main(sys.argv[1:])
except SystemExit as exc:
    status = exc.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _modules_loaded(*argv: str) -> tuple[str, set[str]]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, env=env, timeout=120
    )
    *_, modules = result.stderr.strip().splitlines()
    return result.stdout, set(json.loads(modules))


def test_version_and_help_load_no_heavy_library() -> None:
    for argv in (["--version"], ["--help"]):
        out, loaded = _modules_loaded(*argv)
        assert "dam-desktop" in out
        assert not {m for m in loaded if m.partition(".")[0] in HEAVY}, argv
        assert not {m for m in loaded if m.startswith("dam_desktop.cli.commands.")}, argv


def test_help_still_names_every_command() -> None:
    out, _ = _modules_loaded("--help")
    for name, help_line in commands.COMMANDS.items():
        assert name in out and help_line.split(";")[0][:30] in " ".join(out.split())


def test_a_command_loads_its_own_module_only() -> None:
    _, loaded = _modules_loaded("info", "--help")
    own = {m for m in loaded if m.startswith("dam_desktop.cli.commands.")}
    assert own == {"dam_desktop.cli.commands.info"}


def test_the_command_list_matches_the_command_modules() -> None:
    modules = {m.name for m in pkgutil.iter_modules(commands.__path__)}
    assert {commands.module_name(c).rpartition(".")[2] for c in commands.COMMANDS} == modules
    full = build_parser()
    (sub,) = [a for a in full._actions if isinstance(a, argparse._SubParsersAction)]
    registered = {choice.dest: choice.help for choice in sub._choices_actions}
    assert registered == commands.COMMANDS


def test_list_reads_a_current_library_without_the_world_or_sqlalchemy(tmp_path: Path) -> None:
    from tests.import_media_factory import make_png

    src = tmp_path / "src"
    for n in range(3):
        make_png(src / f"p{n}.png", seed=n)
    library = tmp_path / "lib"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    imported = subprocess.run(
        [sys.executable, "-m", "dam_desktop.cli.main", "--library", str(library), "import", str(src)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert imported.returncode == 0, imported.stderr
    out, loaded = _modules_loaded("--library", str(library), "list", "--limit", "2")
    assert [line.split("\t")[1:] for line in out.splitlines()] == [["image", "p0.png"], ["image", "p1.png"]]
    assert not {m for m in loaded if m.partition(".")[0] in HEAVY}
    assert "dam_desktop.core.world" not in loaded
    out, _ = _modules_loaded("--library", str(library), "list", "--type", "audio")
    assert out == ""

    # search and show read the same way: the tag query compiled and planned on plain sqlite3.
    ids = [line.split("\t")[0] for line in out_all(library)]
    out, loaded = _modules_loaded("--library", str(library), "search", "--limit", "2", "-p0*", "type:image")
    assert [line.split("\t")[2] for line in out.splitlines()] == ["p2.png", "p1.png"]
    assert not {m for m in loaded if m.partition(".")[0] in HEAVY}
    assert "dam_desktop.core.world" not in loaded
    out, loaded = _modules_loaded("--library", str(library), "search", "--count", "p1")
    assert out == "1\n"
    out, loaded = _modules_loaded("--library", str(library), "show", ids[0])
    assert out.startswith(f"entity {ids[0]}  added ") and "  original_filename  p0.png" in out
    assert not {m for m in loaded if m.partition(".")[0] in HEAVY}
    assert "dam_desktop.core.world" not in loaded


def out_all(library: Path) -> list[str]:
    out, _ = _modules_loaded("--library", str(library), "list")
    return out.splitlines()
