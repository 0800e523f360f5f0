"""A non-editable install: the built wheel alone carries the code, the migrations, the resources
and the style sheet. It is installed into a fresh venv outside the checkout and used from there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.import_media_factory import make_png

REPO = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.slow,
    pytest.mark.sqlite_only("an installed wheel's smoke run on a new library folder"),
]

SOURCE_PARTS = (
    "pyproject.toml",
    "setup.py",
    "MANIFEST.in",
    "README.md",
    "alembic.ini",
    "dam_desktop",
    "resources",
    "migrations",
)


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def _fresh_venv(where: Path) -> tuple[Path, Path]:
    """A venv with no access to the checkout. The app's dependencies (PySide6, SQLAlchemy, ...) come
    from this interpreter's site-packages through a path entry: entries added that way do not run
    that folder's .pth files, so its editable hook for the checkout stays off."""
    venv.EnvBuilder(with_pip=False).create(where)
    python = where / "bin" / "python"
    site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=where
        ).stdout.strip()
    )
    (site / "shared_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return python, site


def test_the_wheel_installed_outside_the_checkout_creates_imports_and_searches(tmp_path: Path) -> None:
    # Built from a copy of what the sdist carries, so the checkout gets no build/ folder.
    source = tmp_path / "source"
    source.mkdir()
    for part in SOURCE_PARTS:
        if (REPO / part).is_dir():
            shutil.copytree(REPO / part, source / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO / part, source / part)
    dist = tmp_path / "dist"
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        dist,
        source,
        cwd=tmp_path,
    )
    wheel = next(dist.glob("dam_desktop-*.whl"))

    python, site = _fresh_venv(tmp_path / "venv")
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "-q",
        "--no-index",
        "--no-deps",
        wheel,
        cwd=tmp_path,
    )

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    home = tmp_path / "elsewhere"
    home.mkdir()
    where = _run(python, "-c", "import dam_desktop, sys; print(dam_desktop.__file__)", cwd=home, env=env)
    assert Path(where.stdout.strip()).is_relative_to(site)
    installed = site / "dam_desktop"
    for data in (
        "_data/migrations/env.py",
        "_data/resources/tag_vocabulary/default.json",
        "ui/resources/style.qss",
    ):
        assert (installed / data).is_file(), data

    cli = tmp_path / "venv" / "bin" / "dam-desktop"
    library = home / "library"
    info = _run(cli, "--library", library, "info", cwd=home, env=env)
    assert "schema    " in info.stdout and "schema    none" not in info.stdout
    make_png(home / "in" / "red.png", seed=3)
    imported = _run(cli, "--library", library, "import", home / "in", cwd=home, env=env)
    assert "imported: 1" in imported.stdout
    found = _run(cli, "--library", library, "search", "type:image ext:png", cwd=home, env=env)
    assert found.stdout.splitlines() == ["1\timage\tred.png"]
