"""Shared fixtures: a fresh library folder and an open world on it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.kernel_fixtures import kernel_world  # noqa: F401
from tests.model_fixtures import fake_hub, tiny_checkpoints, tiny_models  # noqa: F401
from tests.tagging_fixtures import tagging_models_dir, tiny_settings, tiny_weights_file  # noqa: F401
from tests.ui_helpers import ui_client, ui_loop, ui_window  # noqa: F401  (fixtures for the window's tests)
from tests.wallpaper_fixtures import wallpaper_library  # noqa: F401

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture
def library_path(tmp_path: Path) -> Path:
    return tmp_path / "library"


@pytest.fixture
async def world(library_path: Path) -> AsyncIterator[object]:
    from dam_desktop.world_setup import open_world

    opened = await open_world(library_path)
    try:
        yield opened
    finally:
        await opened.close()
