"""The "Model tags" view: missing weights, import, a background run the GUI never waits on, review."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer

from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.services.tagging import tagging_service
from dam_desktop.services.tagging.tagging_service import TAGGING_MODEL_CONCEPTUAL_PARAMS, AutoTaggingSettings
from dam_desktop.services.tags import tag_service
from dam_desktop.ui.model_tags.model_tags_view import ModelTagsView
from dam_desktop.use_cases import pipeline
from tests.tagging_fixtures import TINY_MODEL, TINY_PARAMS, add_asset, draw_image
from tests.ui_helpers import run


@pytest.fixture(autouse=True)
def models_in_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tiny tagging architecture is registered with open_clip in this process only (it is no
    catalogue entry, which a model worker would read): the window keeps its models here.
    `test_model_worker` covers the worker."""
    monkeypatch.setenv("DAM_DESKTOP_MODEL_WORKER", "0")


def _point_at_tiny_model(qtbot: Any, client: Any, models_dir: Path) -> None:
    TAGGING_MODEL_CONCEPTUAL_PARAMS[TINY_MODEL] = TINY_PARAMS

    async def configure(world: World) -> None:
        settings = world.resources.get(AutoTaggingSettings)
        settings.model_name = TINY_MODEL
        settings.models_dir = models_dir
        world.scheduler.set_batch_size(SystemStage.AUTO_TAGGING, 2)

    run(qtbot, client.call(configure))


def _add_images(qtbot: Any, client: Any, folder: Path, kinds: list[str]) -> list[int]:
    async def add(world: World) -> list[int]:
        return [
            await add_asset(world, draw_image(folder / f"{i}-{k}.png", k), mark=False)
            for i, k in enumerate(kinds)
        ]

    return list(run(qtbot, client.call(add)))


def _view(qtbot: Any, client: Any) -> ModelTagsView:
    view = ModelTagsView(client)
    view.confirm = lambda title, text: True
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    run(qtbot, view.refresh())
    return view


def test_without_weights_the_view_says_so_and_a_wrong_file_is_refused(
    qtbot: Any, ui_client: Any, tagging_models_dir: Path, tmp_path: Path
) -> None:
    _point_at_tiny_model(qtbot, ui_client, tagging_models_dir)
    _add_images(qtbot, ui_client, tmp_path / "pics", ["disc"])
    view = _view(qtbot, ui_client)

    assert view.pages.currentIndex() == 0
    assert "not on this computer" in view.missing_label.text()
    assert view.import_button.text() == "Import weights file…"
    assert not view.run_button.isEnabled()
    assert not view.download_button.isEnabled()  # HF_HUB_OFFLINE is set for the tests

    view.choose_weights_file = lambda: None
    assert run(qtbot, view.import_weights()) is False
    not_weights = tmp_path / "holiday.jpg"
    draw_image(not_weights, "disc")
    view.choose_weights_file = lambda: not_weights
    assert run(qtbot, view.import_weights()) is False
    assert "is not a weights file" in view.import_status.text()
    assert view.pages.currentIndex() == 0


def test_import_run_and_review_while_the_gui_keeps_running(
    qtbot: Any, ui_client: Any, tagging_models_dir: Path, tiny_weights_file: Path, tmp_path: Path
) -> None:
    _point_at_tiny_model(qtbot, ui_client, tagging_models_dir)
    ids = _add_images(qtbot, ui_client, tmp_path / "pics", ["disc", "stripes", "square", "line"])
    view = _view(qtbot, ui_client)
    view.choose_weights_file = lambda: tiny_weights_file

    assert run(qtbot, view.import_weights(), timeout=60_000) is True
    assert view.pages.currentIndex() == 1
    assert view.run_button.isEnabled()

    # Inference blocks until the GUI's timer has ticked five times: if the GUI waited on the model,
    # the run could never finish.
    async def tagger_of(world: World) -> Any:
        settings = world.resources.get(AutoTaggingSettings)
        return await tagging_service.get_tagging_model(world.resources.get(ModelExecutionManager), settings)

    tagger = run(qtbot, ui_client.call(tagger_of), timeout=60_000)
    real_encode = tagger.bundle.model.encode_image
    ticks = 0
    gui_ran = threading.Event()
    encode_calls = 0

    def on_tick() -> None:
        nonlocal ticks
        ticks += 1
        if ticks >= 5:
            gui_ran.set()

    def encode_after_gui_ticks(pixels: Any) -> Any:
        nonlocal encode_calls
        encode_calls += 1
        assert gui_ran.wait(timeout=30), "the GUI event loop stalled during inference"
        return real_encode(pixels)

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(on_tick)
    timer.start()
    tagger.bundle.model.encode_image = encode_after_gui_ticks
    try:
        report = run(qtbot, view.start_tagging(), timeout=60_000)
    finally:
        tagger.bundle.model.encode_image = real_encode
        timer.stop()

    assert report is not None and report.done == 4
    assert encode_calls == 2  # two batches of two
    assert ticks >= 5
    assert "Tagged 4 images" in view.run_status.text()
    assert view.progress.isHidden()
    assert view.model.rowCount() == 12  # three proposals per image
    assert {r.entity_id for r in view.model.rows} == set(ids)
    assert "12 open proposals" in view.summary.text()

    # Accept the first row, reject the second.
    first, second = view.model.rows[0], view.model.rows[1]
    view.select_rows([0])
    assert run(qtbot, view.accept_selected()) == 1
    view.select_rows([_row_of(view, second.entity_id, second.tag_id)])
    assert run(qtbot, view.reject_selected()) == 1
    assert view.model.rowCount() == 10

    async def manual_tags(world: World) -> dict[int, list[str]]:
        async with world.session() as session:
            tags = await tag_service.tags_of_entities(session, [first.entity_id])
            return {k: [t.name for t in v] for k, v in tags.items()}

    assert run(qtbot, ui_client.call(manual_tags)) == {first.entity_id: [first.tag_name]}

    # Filter by a tag, raise the threshold, then bulk-accept what is left above it.
    tag = view.model.rows[0].tag_name
    view.tag_filter.setCurrentIndex(view.tag_filter.findData(tag))
    qtbot.waitUntil(lambda: all(r.tag_name == tag for r in view.model.rows) and view.model.rowCount() > 0)
    view.tag_filter.setCurrentIndex(0)
    # The unfiltered list is read again; on a PostgreSQL server under load that took over 5 s once.
    qtbot.waitUntil(lambda: view.model.rowCount() == 10, timeout=30_000)
    cut = sorted(r.confidence for r in view.model.rows)[5]
    view.threshold.setValue(cut * 100)
    qtbot.waitUntil(lambda: all(r.confidence >= cut - 0.005 for r in view.model.rows))
    above = view.model.rowCount()
    added = run(qtbot, view.bulk_accept())
    assert added == above
    qtbot.waitUntil(lambda: view.model.rowCount() == 0)
    view.threshold.setValue(0)
    qtbot.waitUntil(lambda: view.model.rowCount() == 10 - above)


def _row_of(view: ModelTagsView, entity_id: int, tag_id: int) -> int:
    return next(i for i, r in enumerate(view.model.rows) if (r.entity_id, r.tag_id) == (entity_id, tag_id))


def test_a_run_can_be_cancelled_from_the_view(
    qtbot: Any,
    ui_client: Any,
    tagging_models_dir: Path,
    tiny_weights_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _point_at_tiny_model(qtbot, ui_client, tagging_models_dir)
    _add_images(qtbot, ui_client, tmp_path / "pics", ["disc"] * 8)
    view = _view(qtbot, ui_client)
    view.choose_weights_file = lambda: tiny_weights_file
    assert run(qtbot, view.import_weights(), timeout=60_000)

    # Cancel is clicked while the second batch is in the model, and that batch waits
    # until that cancel has reached the world: the run stops after exactly two batches whatever
    # the machine's speed (the click alone could land before or after the second batch began).
    async def tagger_of(world: World) -> Any:
        settings = world.resources.get(AutoTaggingSettings)
        return await tagging_service.get_tagging_model(world.resources.get(ModelExecutionManager), settings)

    tagger = run(qtbot, ui_client.call(tagger_of), timeout=60_000)
    real_encode = tagger.bundle.model.encode_image
    batches = 0

    def encode(pixels: Any) -> Any:
        nonlocal batches
        batches += 1
        if batches == 2:
            in_second_batch.set()
            assert cancel_reached_the_world.wait(timeout=30), "Cancel was never clicked"
        return real_encode(pixels)

    in_second_batch = threading.Event()
    cancel_reached_the_world = threading.Event()
    real_cancel_stages = pipeline.cancel_stages

    async def cancel_stages(world: World, stages: Any = ()) -> None:
        await real_cancel_stages(world, stages)
        cancel_reached_the_world.set()

    monkeypatch.setattr(pipeline, "cancel_stages", cancel_stages)

    def click_cancel_after_first_batch() -> None:
        if in_second_batch.is_set() and view.cancel_button.isEnabled():
            view.cancel_button.click()

    watcher = QTimer()
    watcher.setInterval(5)
    watcher.timeout.connect(click_cancel_after_first_batch)
    watcher.start()
    tagger.bundle.model.encode_image = encode
    try:
        report = run(qtbot, view.start_tagging(), timeout=60_000)
    finally:
        tagger.bundle.model.encode_image = real_encode
        watcher.stop()

    assert report is not None and report.cancelled
    assert report.done == 4 and report.remaining == 4
    assert "cancelled, 4 still waiting" in view.run_status.text()
    assert "4 images waiting for the model" in view.summary.text()
    assert view.cancel_button.isHidden() and view.run_button.isEnabled()


def test_the_view_is_a_sidebar_entry_of_the_main_window(
    qtbot: Any, ui_window: Any, tagging_models_dir: Path
) -> None:
    from dam_desktop.ui.model_tags.model_tags_view import MODEL_TAGS_VIEW, install_model_tags_view

    _point_at_tiny_model(qtbot, ui_window.client, tagging_models_dir)
    view = install_model_tags_view(ui_window)
    ui_window.sidebar.select_view(MODEL_TAGS_VIEW)

    assert ui_window.centre.currentWidget() is view
    qtbot.waitUntil(lambda: view.state is not None)
    assert view.pages.currentIndex() == 0  # no weights in the test's models folder
    assert view.isVisible()


def test_images_imported_through_the_window_are_tagged_once_weights_are_installed(
    qtbot: Any, ui_window: Any, tagging_models_dir: Path, tiny_weights_file: Path, tmp_path: Path
) -> None:
    from dam_desktop.ui.jobs.background_work import install_background_work
    from dam_desktop.ui.model_tags.model_tags_view import MODEL_TAGS_VIEW, install_model_tags_view

    _point_at_tiny_model(qtbot, ui_window.client, tagging_models_dir)
    install_background_work(ui_window)
    view = install_model_tags_view(ui_window)
    view.choose_weights_file = lambda: tiny_weights_file
    assert run(qtbot, view.import_weights(), timeout=60_000)
    for i, kind in enumerate(["disc", "stripes", "square"]):
        draw_image(tmp_path / "drop" / f"{i}-{kind}.png", kind, size=(120 + i, 90))

    job = ui_window.start_import([tmp_path / "drop"])
    assert job is not None
    # No button: the background pipeline tags the new images and the view refreshes after it.
    qtbot.waitUntil(lambda: view.model.rowCount() == 9, timeout=60_000)
    assert {r.filename for r in view.model.rows} == {"0-disc.png", "1-stripes.png", "2-square.png"}
    qtbot.waitUntil(lambda: _sidebar_text(ui_window, MODEL_TAGS_VIEW) == "Model tags   9")

    # Keys: "a" typed into the search box accepts nothing; A on the focused table accepts.
    ui_window.sidebar.select_view(MODEL_TAGS_VIEW)
    view.select_rows([0])
    qtbot.keyClicks(ui_window.search_box, "a")
    assert view.model.rowCount() == 9
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: view.model.rowCount() == 8)
    qtbot.waitUntil(lambda: _sidebar_text(ui_window, MODEL_TAGS_VIEW) == "Model tags   8")


def _sidebar_text(window: Any, key: str) -> str:
    from dam_desktop.ui.window.sidebar import VIEW_KEY_ROLE

    nav = window.sidebar.nav
    return next(nav.item(i).text() for i in range(nav.count()) if nav.item(i).data(VIEW_KEY_ROLE) == key)
