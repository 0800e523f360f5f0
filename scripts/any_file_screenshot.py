"""Make the screenshot of generic assets (Preferences › Also import any other file), under Xvfb:

    xvfb-run -a -s '-screen 0 1600x1000x24' .venv/bin/python scripts/any_file_screenshot.py

A game project's folder: two textures (drawn by tests/media_kind_factory) beside an archive, a
Blender file, a text file, a spreadsheet and a shell script, imported with the option on.

- docs/screenshots/any-file-grid.png: the grid, the generic assets' tiles showing their type's
  icon from the desktop's icon theme (Adwaita here), the archive selected.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.screenshot_kit import file_ids, run_shooting, wait_for  # noqa: E402
from scripts.sidecars_screenshots import capture  # noqa: E402


def build_corpus(work: Path) -> Path:
    from tests.media_kind_factory import picture

    folder = work / "level-3"
    folder.mkdir(parents=True)
    picture((1024, 1024), 7).save(folder / "rock_albedo.png")
    picture((1024, 1024), 21).save(folder / "moss_albedo.png")
    with zipfile.ZipFile(folder / "level-3-assets.zip", "w") as archive:
        archive.writestr("readme.txt", "textures and meshes for level 3")
    (folder / "level-3.blend").write_bytes(b"BLENDER-v293" + bytes(range(256)) * 64)
    (folder / "notes.txt").write_text("rock: use the 2k set\nmoss: tile 4x\n")
    (folder / "budget.ods").write_bytes(b"PK\x03\x04" + bytes(512))
    (folder / "bake.sh").write_text("#!/bin/sh\nblender -b level-3.blend -P bake.py\n")
    return folder


async def shoot(library: Path, corpus: Path, out: Path) -> None:
    from PySide6.QtCore import QItemSelectionModel, QSettings

    from dam_desktop.app import install_room_ui
    from dam_desktop.ui.preferences import prefs
    from dam_desktop.ui.window.main_window import MainWindow
    from dam_desktop.ui.world_client import WorldClient
    from dam_desktop.use_cases.pipeline import run_stages

    client = await WorldClient.open(library)
    settings = QSettings(str(library / "screenshot-settings.ini"), QSettings.Format.IniFormat)
    settings.setValue(prefs.ANY_FILE_KEY, True)
    window = MainWindow(client, settings)
    window.move(0, 0)
    window.resize(1600, 1000)
    window.show()
    install_room_ui(window)
    await window.refresh()
    job = window.start_import([corpus])
    assert job is not None
    await wait_for(lambda: window.import_job is None and window.report_dialog.isVisible(), settle=0.2)
    window.report_dialog.accept()
    await client.call(lambda world: run_stages(world))
    await window.reload()
    model = window.model
    await wait_for(lambda: not model.loading and model.rowCount() == 7)
    ids = await client.call(file_ids)
    index = model.index(model.row_of(ids["level-3-assets.zip"]), 0)
    window.grid.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    await wait_for(lambda: window.inspector.details is not None, settle=1.5)
    capture(window, out / "any-file-grid.png")
    await window.shutdown()
    await client.close()


if __name__ == "__main__":
    run_shooting(__doc__.splitlines()[0], "dam-any-file-shots-", build_corpus, shoot)
