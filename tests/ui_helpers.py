"""Helpers for the window's tests: a qasync loop for widgets' asyncio tasks, and test libraries.

Widgets start asyncio tasks (loading a result, fetching tile facts, importing); they run on a
qasync loop marked as running, so they make progress whenever Qt's event loop spins, which is
what `qtbot.waitUntil` does. Tests stay plain functions: they start coroutines with `run`.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

T = TypeVar("T")


@pytest.fixture
def ui_loop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        for task in asyncio.all_tasks(loop):
            task.cancel()
        # Not loop.stop(): it calls QApplication.exit(), which would make every later Qt event
        # loop (pytest-qt's waits included) return at once.
        loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
        asyncio.events._set_running_loop(None)
        loop.close()
        asyncio.set_event_loop(None)


def run(qtbot: Any, coro: Coroutine[Any, Any, T], timeout: int = 20_000) -> T:
    """Run a coroutine on the qasync loop while Qt's event loop spins; return its result."""
    task = asyncio.get_event_loop().create_task(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


@dataclass(frozen=True)
class MadeAsset:
    entity_id: int
    sha256_hex: str
    colour: tuple[int, int, int]
    path: Path


def make_image(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (320, 200)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)
    return path


def make_sound(path: Path, seconds: float = 1.0, frequency: float = 440.0, rate: int = 22050) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * rate)) / rate
    sf.write(path, 0.5 * np.sin(2 * np.pi * frequency * t).astype(np.float32), rate)
    return path


def import_into(qtbot: Any, ui_client: Any, paths: list[Path]) -> list[int]:
    """Import `paths` through the world as the window's import does; the new assets' ids (the
    test fails on any file the import refused)."""

    async def go(world: Any) -> list[int]:
        from dam_desktop.services.ingest.import_service import import_paths

        report = await import_paths(world, paths)
        assert report.failed == [], report.failed
        return list(report.imported)

    return run(qtbot, ui_client.call(go))


def select_and_wait(qtbot: Any, window: Any, entity_id: int) -> None:
    """Select the tile, and wait until the inspector has shown it. The background stages that
    follow an import refresh the grid, which may drop a selection made before they finished: the
    tile is selected again then, as a person would click it again."""
    from PySide6.QtCore import QItemSelectionModel

    inspector = window.inspector

    def shown() -> bool:
        row = window.model.row_of(entity_id)
        current = window.grid.selectionModel().currentIndex()
        if row >= 0 and (not current.isValid() or current.row() != row):
            window.grid.selectionModel().setCurrentIndex(
                window.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        return inspector.details is not None and inspector.details.entity_id == entity_id

    qtbot.waitUntil(shown, timeout=30_000)


def colour_for(n: int) -> tuple[int, int, int]:
    return ((n * 67) % 200 + 30, (n * 131) % 200 + 30, (n * 29) % 200 + 30)


async def add_images(world: Any, source_dir: Path, count: int, *, thumbnails: bool = True) -> list[MadeAsset]:
    """Managed image assets with real files and real WebP thumbnails, written as an import would."""
    from dam_desktop.models import (
        ContentHashSHA256Component,
        FileLocationComponent,
        FilePropertiesComponent,
        ImagePropertiesComponent,
    )
    from dam_desktop.services import ecs_service

    made: list[MadeAsset] = []
    paths = world.paths
    async with world.session() as session:
        for n in range(count):
            colour = colour_for(n)
            source = make_image(source_dir / f"image-{n:04d}.png", colour)
            data = source.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            stored = paths.stored_file_path(sha)
            stored.parent.mkdir(parents=True, exist_ok=True)
            stored.write_bytes(data)
            if thumbnails:
                thumb = paths.thumbnail_path(sha)
                thumb.parent.mkdir(parents=True, exist_ok=True)
                Image.new("RGB", (256, 160), colour).save(thumb, "WEBP")
            entity = await ecs_service.create_entity(session)
            for component in (
                FilePropertiesComponent(
                    original_filename=source.name,
                    file_size_bytes=len(data),
                    mime_type="image/png",
                    file_extension="png",
                    asset_type="image",
                ),
                ContentHashSHA256Component(hash_value=bytes.fromhex(sha)),
                FileLocationComponent(
                    storage_type="managed",
                    path=str(stored.relative_to(paths.root)),
                    source_path=str(source),
                ),
                ImagePropertiesComponent(width=320, height=200, mode="RGB"),
            ):
                await ecs_service.add_component_to_entity(session, entity.id, component)
            made.append(MadeAsset(entity.id, sha, colour, stored))
        await session.commit()
    return made


async def add_sound(world: Any, source: Path) -> MadeAsset:
    from dam_desktop.models import (
        AudioPropertiesComponent,
        ContentHashSHA256Component,
        FileLocationComponent,
        FilePropertiesComponent,
    )
    from dam_desktop.services import ecs_service

    data = source.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    info = sf.info(str(source))
    async with world.session() as session:
        entity = await ecs_service.create_entity(session)
        for component in (
            FilePropertiesComponent(
                original_filename=source.name,
                file_size_bytes=len(data),
                mime_type="audio/x-wav",
                file_extension="wav",
                asset_type="audio",
            ),
            ContentHashSHA256Component(hash_value=bytes.fromhex(sha)),
            FileLocationComponent(storage_type="reference", path=str(source), source_path=str(source)),
            AudioPropertiesComponent(
                duration_seconds=info.duration,
                sample_rate=info.samplerate,
                channels=info.channels,
                audio_format="WAV",
            ),
        ):
            await ecs_service.add_component_to_entity(session, entity.id, component)
        await session.commit()
    return MadeAsset(entity.id, sha, (0, 0, 0), source)


@pytest.fixture
def ui_client(ui_loop: asyncio.AbstractEventLoop, qtbot: Any, library_location: Path | str) -> Iterator[Any]:
    """A WorldClient on a fresh library, closed (and unlocked) after the test."""
    from dam_desktop.ui.world_client import WorldClient

    client = run(qtbot, WorldClient.open(library_location))
    try:
        yield client
    finally:
        run(qtbot, client.close())


@pytest.fixture
def ui_window(ui_client: Any, qtbot: Any, tmp_path: Path) -> Iterator[Any]:
    """The main window on `ui_client`'s library, with its own settings file; confirmations say yes."""
    from PySide6.QtCore import QSettings

    from dam_desktop.ui.window.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ui_client, settings)
    window.confirm = lambda title, text: True
    qtbot.addWidget(window)
    window.resize(1300, 850)
    window.show()
    run(qtbot, window.refresh())
    try:
        yield window
    finally:
        run(qtbot, window.shutdown())


def close_window(qtbot: Any, window: Any, client: Any) -> None:
    """Close a window the test made itself as the app does, then its client."""
    window.close()  # while the loop runs: closing starts tasks of its own
    run(qtbot, window.shutdown())
    window.deleteLater()
    run(qtbot, client.close())


class HeldAnswers:
    """The real world client, except that each answer waits until the test lets it through, so a
    test can make answers arrive in the order it wants (`release(n)`: the n-th call's answer)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.gates: list[asyncio.Event] = []
        self.answered: list[bool] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    async def call(self, action: Any) -> Any:
        gate = asyncio.Event()
        self.gates.append(gate)
        self.answered.append(False)
        answer = await self.client.call(action)
        await gate.wait()
        self.answered[self.gates.index(gate)] = True
        return answer

    def release(self, n: int) -> None:
        self.gates[n].set()


async def rename_table(world: Any, old: str, new: str) -> None:
    """Rename a table of the library: the reads of it fail until it is renamed back (how the
    read-failure tests break one read and mend it, on either backend)."""
    from sqlalchemy import text

    async with world.session() as session:
        await session.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))
        await session.commit()


def rename_table_now(qtbot: Any, client: Any, old: str, new: str) -> None:
    """`rename_table` on the window's world, waited for."""
    run(qtbot, client.call(lambda world: rename_table(world, old, new)))


def read_failure_text(window: Any) -> str | None:
    """What the status bar's red label says, or None while it is hidden."""
    label = window.status_bar.read_failure_label
    return label.full_text if label.isVisibleTo(window) else None
