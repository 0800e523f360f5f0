"""Switching library while the first one imports and its background stages run: nothing is said on
stderr (no "Signal source has been deleted", no traceback), nothing is logged as an error, the
first library is not written after the switch, and the second one opens with its grid filled."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from tests.test_tag_support import AssetSpec, make_assets
from tests.ui_helpers import run

pytestmark = pytest.mark.sqlite_only("reads the library folder's SQLite file directly after the switch")

FILES = 120


def _drop(folder: Path, seed: int = 5) -> None:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for n in range(FILES):
        if n % 4 == 3:
            t = np.arange(22050) / 22050
            sf.write(folder / f"tone-{n:02d}.wav", 0.2 * np.sin(2 * np.pi * (200 + 40 * n) * t), 22050)
        else:
            pixels = rng.integers(0, 255, size=(150, 200, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(folder / f"photo-{n:02d}.png", compress_level=1)


def _state(library: Path) -> tuple[str, ...]:
    """Every row of the library's database, hashed table by table, and every file it keeps
    (stored copies, thumbnails): equal states, equal tuples."""
    with sqlite3.connect(f"file:{library / 'dam.sqlite3'}?mode=ro", uri=True) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name NOT LIKE 'search_%' ORDER BY name"
            )
        ]
        digests = []
        for table in tables:
            rows = db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            digests.append(f"{table}:{hashlib.sha256(repr(rows).encode()).hexdigest()[:16]}")
    kept = ("files", "thumbnails", "trash")
    files = sorted(str(p.relative_to(library)) for folder in kept for p in (library / folder).rglob("*"))
    return (*digests, *files)


def test_switching_library_during_an_import_and_background_work_is_clean(
    qtbot: Any, ui_loop: Any, tmp_path: Path, monkeypatch: Any, capfd: pytest.CaptureFixture[str], caplog: Any
) -> None:
    from PySide6.QtWidgets import QMessageBox
    from shiboken6 import isValid

    from dam_desktop.app import AppController
    from dam_desktop.core.stages import SystemStage
    from dam_desktop.ui.world_client import WorldClient
    from dam_desktop.world_setup import open_world

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: pytest.fail(text))
    caplog.set_level(logging.WARNING)
    first_lib, second_lib = tmp_path / "first", tmp_path / "second"
    _drop(tmp_path / "drop")

    async def seed_second() -> None:
        world = await open_world(second_lib)
        try:
            async with world.session() as s:
                await make_assets(s, [AssetSpec(name=f"b{n}.png", width=64) for n in range(5)])
                await s.commit()
        finally:
            await world.close()

    run(qtbot, seed_second())
    controller = AppController()
    assert run(qtbot, controller.open(first_lib))
    first = controller.window
    assert first is not None
    job = first.start_import([tmp_path / "drop"])
    assert job is not None
    # The background stages work on what the import brought in, embeddings included (the names'
    # MiniLM embeddings need no download)...
    background = first.background_work  # type: ignore[attr-defined]
    embedding = int(SystemStage.TEXT_EMBEDDING)
    qtbot.waitUntil(lambda: job.done >= 4 and embedding in background.stage_jobs, timeout=60_000)
    # ...and an import is under way at the switch: the first one, or a second one started once the
    # first has ended (on a fast machine the import can end before the embeddings start).
    if job.task is not None and job.task.done():
        qtbot.waitUntil(lambda: first.import_job is None)
        _drop(tmp_path / "more", seed=6)
        job = first.start_import([tmp_path / "more"])
        assert job is not None
        qtbot.waitUntil(lambda: job.done >= 2, timeout=60_000)
    assert job.task is not None and not job.task.done(), "an import runs at the switch"
    assert background.stage_jobs, "background stages run at the switch"

    first.library_requested.emit(second_lib)
    qtbot.waitUntil(lambda: controller.window is not first and controller.window is not None, timeout=30_000)
    second = controller.window
    assert second is not None and second.windowTitle().startswith("second")
    qtbot.waitUntil(lambda: second.model.rowCount() == 5 and not second.model.loading, timeout=30_000)
    qtbot.waitUntil(lambda: not isValid(first) or not first.isVisible())

    # The first library's world is closed: its lock is free, and its database no longer changes.
    after_switch = _state(first_lib)
    holder = run(qtbot, WorldClient.open(first_lib))
    run(qtbot, holder.close())
    # Give anything left of the first library's work the time to show itself: the second
    # library's background work runs to its end meanwhile.
    qtbot.waitUntil(lambda: not second.background_work.stage_jobs, timeout=30_000)  # type: ignore[attr-defined]
    assert _state(first_lib) == after_switch
    imported = (
        sqlite3.connect(first_lib / "dam.sqlite3")
        .execute("SELECT count(*) FROM component_file_properties")
        .fetchone()[0]
    )
    assert 4 <= imported <= 2 * FILES

    run(qtbot, controller.shutdown())
    second.close()
    # Both windows go with this test's loop: a window left behind would follow a selection change
    # in a later test, which has no loop to run it on.
    second.deleteLater()
    qtbot.waitUntil(lambda: not isValid(first) and not isValid(second))
    err = capfd.readouterr().err
    assert "Signal source has been deleted" not in err, err
    assert "Traceback" not in err and "exception" not in err.lower(), err
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
