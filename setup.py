"""Build hook: the wheel carries `resources/` and `migrations/` inside the package.

They stay at the repository root, where `alembic.ini`, the PyInstaller spec and a source checkout
find them, and are copied into `dam_desktop/_data/` only in the build, so an installed wheel (pip,
pipx) finds them beside its code (see `dam_desktop.paths`). Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUNDLED_FOLDERS = ("resources", "migrations")


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "dam_desktop" / "_data"
        for folder in BUNDLED_FOLDERS:
            shutil.rmtree(target / folder, ignore_errors=True)
            shutil.copytree(
                root / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )


setup(cmdclass={"build_py": BuildPyWithData})
