"""The Models dialog (Preferences › Models…): a download from the fake hub shows its progress,
can be cancelled and resumed; an import that does not fit says why; Remove frees the disk."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from dam_desktop.ml.catalogue import CatalogueEntry
from dam_desktop.ui.models.models_dialog import ModelsDialog
from tests.fake_hub import FakeHub
from tests.model_fixtures import TINY_P16_ARCH, TinyModels
from tests.ui_helpers import run


def _dialog(qtbot: QtBot) -> ModelsDialog:
    dialog = ModelsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.state_text("tiny-clip") == "absent")
    dialog.select("tiny-clip")
    return dialog


def test_a_download_shows_progress_and_can_be_cancelled_then_resumed(
    qtbot: QtBot, tiny_models: TinyModels, fake_hub: FakeHub
) -> None:
    dialog = _dialog(qtbot)
    fake_hub.gate = threading.Event()

    dialog.download_button.click()

    qtbot.waitUntil(lambda: dialog.state_text("tiny-clip").startswith("downloading "), timeout=20000)
    assert dialog.progress.isVisible() and dialog.progress.value() > 0
    assert dialog.cancel_button.isEnabled() and not dialog.download_button.isEnabled()
    dialog.cancel_button.click()
    fake_hub.gate.set()
    qtbot.waitUntil(lambda: dialog.state_text("tiny-clip") == "absent", timeout=20000)
    assert "cancelled" in dialog.message.text()

    fake_hub.gate = None
    dialog.download_button.click()
    qtbot.waitUntil(lambda: dialog.state_text("tiny-clip") == "ready", timeout=20000)
    assert fake_hub.ranges()[-1] is not None  # the second download asked only for the rest
    assert "is ready" in dialog.message.text()
    qtbot.waitUntil(lambda: dialog.remove_button.isEnabled())

    dialog.remove_button.click()
    qtbot.waitUntil(lambda: dialog.state_text("tiny-clip") == "absent", timeout=20000)
    assert "freed" in dialog.message.text()


def test_an_import_that_does_not_fit_is_refused_in_the_dialog(qtbot: QtBot, tiny_models: TinyModels) -> None:
    dialog = _dialog(qtbot)
    chosen: list[Path] = [tiny_models.p16_weights]

    def choose(entry: CatalogueEntry) -> Path | None:
        return chosen.pop(0)

    dialog.choose_file = choose
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.state_text("tiny-clip") == "failed", timeout=60000)
    assert dialog.message.text().endswith(f"holds {TINY_P16_ARCH} weights, but dam-test-tiny-vit was chosen")

    chosen.append(tiny_models.weights)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.state_text("tiny-clip") == "ready", timeout=60000)
    assert (
        dialog.message.text()
        == f"Imported {tiny_models.weights.name}: Tiny test CLIP (dam-test-tiny-vit) is ready."
    )


def test_offline_the_dialog_says_so_and_offers_import(qtbot: QtBot, tiny_models: TinyModels) -> None:
    dialog = _dialog(qtbot)  # HF_HUB_OFFLINE=1 in the tests: downloads are off

    dialog.download_button.click()

    qtbot.waitUntil(lambda: dialog.state_text("tiny-clip") == "failed", timeout=10000)
    assert "Import weights file" in dialog.message.text()
    assert dialog.import_button.isEnabled()


def test_the_missing_weights_page_opens_the_models_dialog_on_the_image_model(qtbot: QtBot) -> None:
    from typing import cast

    from dam_desktop.ui.model_tags.weights_page import WeightsPage

    page = WeightsPage(cast(Any, None))
    qtbot.addWidget(page)
    page.show()

    page.models_button.click()

    dialog = page.window().findChild(ModelsDialog)
    assert dialog is not None and dialog.isVisible()
    selected = dialog.selected_entry()
    assert selected is not None and selected.name == "clip-vit-b-32"


def test_use_for_this_library_switches_the_image_model_of_the_open_library(
    qtbot: QtBot, tiny_models: TinyModels, ui_client: Any
) -> None:
    from dam_desktop.ml.catalogue import get_entry
    from dam_desktop.ml.model_store import import_model
    from dam_desktop.use_cases.models import image_model_choice

    import_model(get_entry("tiny-clip"), tiny_models.weights)
    import_model(get_entry("tiny-clip-p16"), tiny_models.p16_weights)
    dialog = ModelsDialog(client=ui_client)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(
        lambda: dialog.state_text("tiny-clip-p16") == "ready" and dialog.in_use == "clip-vit-b-32"
    )
    dialog.select("tiny-clip-p16")
    assert dialog.use_button.isVisible() and dialog.use_button.isEnabled()

    dialog.use_button.click()

    qtbot.waitUntil(lambda: dialog.state_text("tiny-clip-p16") == "ready · in use", timeout=20000)
    assert dialog.message.text().startswith("This library now uses Tiny test CLIP (dam-test-tiny-vit-p16)")
    assert not dialog.use_button.isEnabled()
    dialog.select("tiny-clip")
    assert dialog.state_text("tiny-clip") == "ready" and dialog.use_button.isEnabled()
    choice = run(qtbot, ui_client.call(image_model_choice))
    assert choice.model_name == "tiny-clip-p16"
