"""What the installers rely on: the bundle layout, the icon renderer and the torch probe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dam_desktop import paths

REPO = Path(__file__).resolve().parent.parent


def test_a_bundle_finds_resources_and_migrations_beside_the_executable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)

    assert paths.resources_dir() == tmp_path / "resources"
    assert paths.migrations_dir() == tmp_path / "migrations"


def test_the_spec_bundles_the_folders_the_app_reads_at_run_time() -> None:
    spec = (REPO / "packaging" / "dam-desktop.spec").read_text(encoding="utf-8")

    assert paths.resources_dir().relative_to(REPO).as_posix() == "resources"
    assert paths.migrations_dir().relative_to(REPO).as_posix() == "migrations"
    assert '_folder_as_data("resources")' in spec
    assert '_folder_as_data("migrations")' in spec
    assert 'collect_data_files("dam_desktop")' in spec
    assert (REPO / "packaging" / "entry_point.py").is_file()


def test_model_features_probe_agrees_with_torch_and_does_not_import_it() -> None:
    code = (
        "import importlib.util, sys\n"
        "from dam_desktop.features import model_features_available\n"
        "print(model_features_available(), importlib.util.find_spec('torch') is not None,"
        " 'torch' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()

    available, torch_installed, torch_imported = out
    assert available == torch_installed
    assert torch_imported == "False"


def test_the_icon_renders_at_every_size_the_packages_install(tmp_path: Path) -> None:
    from PIL import Image

    subprocess.run(
        [sys.executable, str(REPO / "packaging" / "render_icons.py"), str(tmp_path)],
        check=True,
        capture_output=True,
    )

    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        with Image.open(tmp_path / f"dam-desktop-{size}.png") as png:
            assert png.size == (size, size)
            centre = png.convert("RGBA").getpixel((size // 2, size // 2))
            assert isinstance(centre, tuple)
            assert centre[3] == 255  # drawn, not transparent
    with Image.open(tmp_path / "dam-desktop.ico") as ico:
        assert (256, 256) in ico.info["sizes"]
    assert (tmp_path / "dam-desktop.icns").stat().st_size > 0
