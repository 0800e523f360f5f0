"""`dam-desktop process` as a user runs it: the window's stages to completion, with progress;
Ctrl-C stops after a batch; errors are one line; `import` leaves what the window leaves."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from dam_desktop.cli.commands import process
from dam_desktop.cli.main import main
from dam_desktop.models.core.pipeline_markers import NeedsAudioProcessingMarker
from dam_desktop.models.semantic.audio_embedding_component import get_audio_embedding_component_class
from dam_desktop.models.semantic.text_embedding_component import (
    DEFAULT_TEXT_EMBEDDING_MODEL,
    get_embedding_component_class,
)
from dam_desktop.services.semantic.audio_service import AudioSettings
from dam_desktop.world_setup import open_world
from tests.import_media_factory import make_png, make_sound


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _count(library: Path | str, table: Any) -> int:
    async def count() -> int:
        world = await open_world(library)
        try:
            async with world.session() as session:
                return int(await session.scalar(select(func.count()).select_from(table)) or 0)
        finally:
            await world.close()

    return asyncio.run(count())


def _fingerprint_table() -> Any:
    return get_audio_embedding_component_class(AudioSettings().similarity_model)


def test_process_runs_the_stages_an_import_left_waiting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    library = library_location
    make_png(tmp_path / "src" / "red_car.png", seed=1)
    for i in range(3):
        make_sound(tmp_path / "src" / f"kick_{i}.wav", freq=200.0 + 90 * i)
    status, out, _ = _run(capsys, "--library", str(library), "import", "--no-process", str(tmp_path / "src"))
    assert status == 0, out
    assert _count(library, _fingerprint_table()) == 0

    status, out, err = _run(capsys, "--library", str(library), "process", "--stage", "fingerprints")
    assert status == 0, out + err
    assert "fingerprints: 3 done  failed: 0  waiting: 0" in out
    assert "fingerprinting sounds 3/3" in err and "100%" in err
    assert "text-embeddings" not in out
    assert _count(library, _fingerprint_table()) == 3

    status, out, err = _run(capsys, "--library", str(library), "process")
    assert status == 0, out + err
    assert "text-embeddings: 4 done  failed: 0  waiting: 0" in out
    # The image model's weights are not on this machine: its images wait, and the user is told.
    assert "image-embeddings: 0 done  failed: 0  waiting: 1" in out
    assert "image-embeddings: The weights for the image model" in err
    assert _count(library, get_embedding_component_class(DEFAULT_TEXT_EMBEDDING_MODEL)) == 4


def test_import_leaves_what_the_window_leaves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str
) -> None:
    library = library_location
    make_sound(tmp_path / "src" / "snare.wav")
    status, out, err = _run(capsys, "--library", str(library), "import", str(tmp_path / "src"))
    assert status == 0, out + err
    assert "fingerprints: 1 done" in out and "text-embeddings: 1 done" in out
    assert _count(library, _fingerprint_table()) == 1
    assert _count(library, NeedsAudioProcessingMarker) == 0


def test_ctrl_c_stops_after_the_current_batch_and_keeps_what_was_done(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    library_location: Path | str,
) -> None:
    library = library_location
    for i in range(100):  # several batches of the fingerprint stage (32 each)
        make_sound(tmp_path / "src" / f"tone_{i:02d}.wav", seconds=0.1, freq=100.0 + 20 * i)
    assert _run(capsys, "--library", str(library), "import", "--no-process", str(tmp_path / "src"))[0] == 0
    real_update = process.StageProgressLine.update

    def press_ctrl_c_after_the_first_batch(line: Any, progress: Any) -> None:
        real_update(line, progress)
        if progress.done:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(process.StageProgressLine, "update", press_ctrl_c_after_the_first_batch)
    status, out, err = _run(capsys, "--library", str(library), "process")

    assert status == 130
    [line] = [line for line in out.splitlines() if line.startswith("fingerprints:")]
    done, waiting = int(line.split()[1]), int(line.split("waiting: ")[1].split()[0])
    assert line.endswith("(stopped)") and done % 32 == 0 and 0 < done < 100 and done + waiting == 100
    assert "text-embeddings" not in out, "no stage starts after Ctrl-C"
    assert "Traceback" not in err
    assert _count(library, _fingerprint_table()) == done, "what was done before Ctrl-C stays"


@pytest.mark.sqlite_only("a library named by a path that is a file, not a folder")
def test_a_library_that_cannot_be_opened_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("hello")
    status, _, err = _run(capsys, "--library", str(not_a_folder), "process")
    assert status == 1
    assert err.startswith("dam-desktop: ") and err.count("\n") == 1 and "notes.txt" in err
    assert "Traceback" not in err
