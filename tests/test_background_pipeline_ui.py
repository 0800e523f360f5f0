"""The window's background pipeline, as a new user meets it: drop 200 sounds and images, press
nothing, and every one gets its thumbnail, sound fingerprint and text embedding; "Find similar" on
a sound dropped afterwards then lists its near-copy first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel
from sqlalchemy import select

from dam_desktop import app as app_module
from dam_desktop.core.stages import SystemStage
from dam_desktop.models import ContentHashSHA256Component, FilePropertiesComponent
from dam_desktop.models.semantic.text_embedding_component import DEFAULT_TEXT_EMBEDDING_MODEL
from dam_desktop.services.semantic.audio_service import AudioSettings, audio_component_class
from dam_desktop.services.semantic.semantic_service import text_component_class
from dam_desktop.ui.jobs.background_work import BackgroundWork
from dam_desktop.ui.semantic.semantic_search import semantic_search_of
from dam_desktop.ui.window.main_window import MainWindow
from tests.audio_synthesis import write_altered_copy, write_sounds
from tests.import_media_factory import make_png
from tests.ui_helpers import run

SOUNDS = 80
IMAGES = 120


def _processed(background: BackgroundWork, stage: SystemStage) -> int:
    return background.processed.get(int(stage), 0)


async def _coverage(world: Any) -> dict[str, Any]:
    fingerprints = audio_component_class(AudioSettings().similarity_model)
    texts = text_component_class(DEFAULT_TEXT_EMBEDDING_MODEL)
    async with world.session() as session:
        props = FilePropertiesComponent
        assets = {int(e): str(k) for e, k in await session.execute(select(props.entity_id, props.asset_type))}
        hashes = (
            await session.execute(
                select(ContentHashSHA256Component.entity_id, ContentHashSHA256Component.hash_value)
            )
        ).all()
        return {
            "assets": assets,
            "thumbnails": {eid for eid, sha in hashes if world.paths.thumbnail_path(sha.hex()).is_file()},
            "fingerprints": set((await session.scalars(select(fingerprints.entity_id))).all()),
            "texts": set((await session.scalars(select(texts.entity_id))).all()),
        }


def test_dropped_files_are_processed_with_no_further_action(
    qtbot: Any, ui_window: MainWindow, tmp_path: Path
) -> None:
    drop = tmp_path / "drop"
    sounds = write_sounds(drop / "sounds", count=SOUNDS)
    for i in range(IMAGES):
        make_png(drop / "images" / f"sketch_{i:03d}.png", seed=i)
    app_module.install_room_ui(ui_window)  # what the app does once the library is open
    background: BackgroundWork = ui_window.background_work  # type: ignore[attr-defined]

    assert ui_window.start_import([drop]) is not None
    # A stage with work shows in the status bar while it runs.
    qtbot.waitUntil(
        lambda: any(
            j.title in ("Fingerprinting sounds", "Embedding names and tags") for j in ui_window.jobs.jobs
        ),
        timeout=120_000,
    )
    qtbot.waitUntil(lambda: _processed(background, SystemStage.AUDIO_PROCESSING) == SOUNDS, timeout=120_000)
    qtbot.waitUntil(
        lambda: _processed(background, SystemStage.TEXT_EMBEDDING) == SOUNDS + IMAGES, timeout=120_000
    )
    coverage = run(qtbot, ui_window.client.call(_coverage), timeout=30_000)
    assets = coverage["assets"]
    assert len(assets) == SOUNDS + IMAGES
    assert coverage["thumbnails"] == set(assets)
    assert coverage["fingerprints"] == {eid for eid, kind in assets.items() if kind == "audio"}
    assert coverage["texts"] == set(assets)

    # A new sound, dropped later: its fingerprint comes by itself, and "Find similar" finds its source.
    (tmp_path / "later").mkdir()
    write_altered_copy(sounds[10], tmp_path / "later" / "take_2_quieter.ogg")
    assert ui_window.start_import([tmp_path / "later"]) is not None
    qtbot.waitUntil(
        lambda: _processed(background, SystemStage.AUDIO_PROCESSING) == SOUNDS + 1, timeout=60_000
    )
    run(qtbot, ui_window.reload(), timeout=30_000)
    ids = [int(i) for i in ui_window.model.ids[: ui_window.model.rowCount()]]
    infos = run(qtbot, ui_window.model.fetch_infos(ids), timeout=30_000)
    row = next(r for r, eid in enumerate(ids) if infos[eid].filename == "take_2_quieter.ogg")
    ui_window.grid.selectionModel().setCurrentIndex(
        ui_window.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    run(qtbot, ui_window._run_action_by_key("find-similar"), timeout=30_000)
    assert semantic_search_of(ui_window) is not None
    # (a change event of the import may reload the result once more: wait for the grid to settle)
    qtbot.waitUntil(lambda: ui_window.model.ranking is not None and not ui_window.model.loading)
    first = ui_window.model.entity_id(0)
    assert run(qtbot, ui_window.model.fetch_infos([first]))[first].filename == "sound_10.wav"
