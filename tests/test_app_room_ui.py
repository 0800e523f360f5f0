"""The window the app opens carries every room's parts, and the lite build says what it leaves out."""

from __future__ import annotations

from typing import Any

import pytest

from dam_desktop import app as app_module
from dam_desktop import features
from dam_desktop.ui.window.main_window import MainWindow


def _sidebar_entries(window: MainWindow) -> list[str]:
    nav = window.sidebar.nav
    return [nav.item(row).text().split("  ")[0].strip() for row in range(nav.count())]


def test_full_build_window_has_tags_semantic_search_and_model_tags(qtbot: Any, ui_window: MainWindow) -> None:
    app_module.install_room_ui(ui_window)
    entries = " | ".join(_sidebar_entries(ui_window))
    # Search by meaning is the search box's ≈ toggle; its results fill the main grid (no view of its own).
    assert "Search by meaning" in [action.text() for action in ui_window.search_box.actions()]
    assert "Model Tags" in entries or "Model tags" in entries
    section_titles = [
        label.text() for label in ui_window.sidebar.findChildren(type(ui_window.sidebar.heading))
    ]
    assert any(title.lower() == "tags" for title in section_titles)


def test_lite_build_hides_model_features_and_says_why(
    qtbot: Any, ui_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(features, "model_features_available", lambda: False)
    app_module.install_room_ui(ui_window)
    entries = " | ".join(_sidebar_entries(ui_window))
    assert "Search by meaning" not in [action.text() for action in ui_window.search_box.actions()]
    assert "Model" not in entries
    assert ui_window.statusBar().currentMessage() == features.MODEL_FEATURES_UNAVAILABLE_NOTE
