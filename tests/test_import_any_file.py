"""Any other file: off by default, a file no decoder recognises is skipped with the reason; with
`--any-file` (Preferences in the window) it becomes a generic asset, `type:other`, its MIME type
from its name, with no thumbnail decoded: the window shows its type's icon."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtWidgets import QApplication

from dam_desktop.cli.main import main
from dam_desktop.ui.preferences import prefs
from dam_desktop.ui.window.main_window import MainWindow


def working_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "assets.zip", "w") as archive:
        archive.writestr("readme.txt", "textures for level 3")
    (folder / "level3.blend").write_bytes(b"BLENDER-v293" + bytes(range(256)) * 8)
    (folder / "notes.txt").write_text("palette: warm greys\n")
    Image.new("RGB", (40, 30), (30, 120, 200)).save(folder / "sky.png")
    (folder / "broken.jpg").write_bytes(b"this is no JPEG at all")
    return folder


# The window's test comes first: the CLI's import makes a QGuiApplication (for SVG text), after
# which no QApplication, hence no window, can be made in the same process.


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    status = main(list(argv))
    return status, capsys.readouterr().out.splitlines()


def test_the_preference_is_off_by_default_and_the_window_imports_with_it(
    qtbot: Any, ui_window: MainWindow, tmp_path: Path
) -> None:
    from dam_desktop.ui.preferences.dialog import PreferencesDialog

    dialog = PreferencesDialog(ui_window.settings, ui_window)
    qtbot.addWidget(dialog)
    assert not dialog.any_file.isChecked()
    dialog.any_file.setChecked(True)
    assert prefs.read_bool(ui_window.settings, prefs.ANY_FILE_KEY)

    folder = working_folder(tmp_path / "project")
    job = ui_window.start_import([folder])
    assert job is not None and job.any_file
    qtbot.waitUntil(lambda: ui_window.import_job is None and ui_window.model.rowCount() == 4, timeout=60_000)
    model = ui_window.model
    ids = model.ids.tolist()
    model.request_infos(ids)
    qtbot.waitUntil(lambda: all(model.info(e) is not None for e in ids))
    infos = [info for info in (model.info(e) for e in ids) if info is not None]
    assert {info.filename: info.asset_type for info in infos} == {
        "assets.zip": "other",
        "level3.blend": "other",
        "notes.txt": "other",
        "sky.png": "image",
    }
    # The zip's tile is painted from its type's icon, looked up by name: nothing was decoded.
    ui_window.grid.viewport().grab()
    QApplication.processEvents()
    assert {".zip", ".blend", ".txt"} <= ui_window.grid.delegate.type_icons.looked_up


def test_without_the_option_other_files_are_skipped_and_say_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    folder = working_folder(tmp_path / "project")
    library = ["--library", str(library_location)]

    status, out = _run(capsys, *library, "import", "--no-process", str(folder))

    assert status == 1  # broken.jpg failed
    assert out[0] == "imported: 1  duplicates: 0  skipped: 3  failed: 1  (of 5 files)"
    skipped = out[out.index("skipped:") + 1 :]
    assert sorted(skipped) == sorted(
        [
            f"  {folder / 'assets.zip'}: unsupported file type: ZIP archive (or an Office document)",
            f"  {folder / 'level3.blend'}: unsupported file type: this .blend file is not an image, sound, "
            "video, PDF or font",
            f"  {folder / 'notes.txt'}: unsupported file type: this .txt file is not an image, sound, "
            "video, PDF or font",
        ]
    )


def test_with_any_file_they_become_generic_assets_and_damaged_media_still_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str, library_path: Path
) -> None:
    folder = working_folder(tmp_path / "project")
    library = ["--library", str(library_location)]

    status, out = _run(capsys, *library, "import", "--no-process", "--any-file", str(folder))

    assert status == 1
    assert out[0] == "imported: 4  duplicates: 0  skipped: 0  failed: 1  (of 5 files)"
    assert out[-1].startswith(f"  {folder / 'broken.jpg'}: not a valid JPEG image")
    _, found = _run(capsys, *library, "search", "type:other")
    assert sorted(line.split("\t", 1)[1] for line in found) == [
        "other\tassets.zip",
        "other\tlevel3.blend",
        "other\tnotes.txt",
    ]
    zip_id = next(line.split("\t")[0] for line in found if line.endswith("assets.zip"))
    _, shown = _run(capsys, *library, "show", zip_id)
    properties = {
        line.split()[0]: line.split()[-1] for line in shown if line.startswith("  ") and len(line.split()) > 1
    }
    assert properties["mime_type"] == "application/zip" and properties["file_extension"] == "zip"
    assert len(list((library_path / "thumbnails").rglob("*.webp"))) == 1  # sky.png's: none decoded
