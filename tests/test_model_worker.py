"""The window's model worker: a child process that holds the models (the tiny CLIP of the real
architecture, MiniLM) and answers for the window, which never imports torch."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from dam_desktop.core.model_host import ModelWorkerError
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.ml.worker_client import ModelWorker
from dam_desktop.models.core.pipeline_markers import NeedsEmbeddingMarker
from dam_desktop.models.files import FilePropertiesComponent
from dam_desktop.models.semantic.image_embedding_component import ImageEmbeddingComponent
from dam_desktop.models.tags import ModelGeneratedTagLinkComponent
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.services.semantic import image_embeddings, semantic_service
from dam_desktop.services.semantic.audio_service import AudioSettings
from dam_desktop.services.semantic.semantic_search import search_by_sentence
from dam_desktop.services.semantic.semantic_service import SemanticSettings
from dam_desktop.services.semantic.vector_index import VectorIndexCache, bytes_to_vector
from dam_desktop.services.tagging.tagging_service import AutoTaggingSettings
from dam_desktop.use_cases.models import use_image_model
from tests.tagging_fixtures import draw_image, tiny_weights_file  # noqa: F401
from tests.test_semantic_clip import TINY_EMBEDDING_MODEL, tiny_clip  # noqa: F401

KINDS = ("disc", "stripes", "square")


@pytest.fixture
async def worker_manager() -> AsyncIterator[ModelExecutionManager]:
    manager = ModelExecutionManager(host=ModelWorker())
    try:
        yield manager
    finally:
        manager.close()


def use_manager(world: World, manager: ModelExecutionManager) -> None:
    """The world's models run in `manager`'s worker, as the window's do."""
    world.resources.remove(ModelExecutionManager)
    world.resources.add(manager)


def host(manager: ModelExecutionManager) -> ModelWorker:
    worker = manager._host
    assert isinstance(worker, ModelWorker)
    return worker


async def until(condition: object, what: str) -> None:
    """Poll `condition()` on the loop (the worker is another process: no event to wait on)."""
    for _ in range(3000):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def import_pictures(world: World, folder: Path, kinds: tuple[str, ...] = KINDS) -> None:
    for kind in kinds:
        draw_image(folder / f"{kind}.png", kind)
    report = await import_paths(world, [folder])
    assert not report.failed and len(report.imported) == len(kinds)


async def stored_vectors(world: World) -> dict[str, np.ndarray]:
    async with world.session() as session:
        rows = await session.execute(
            select(FilePropertiesComponent.original_filename, ImageEmbeddingComponent.embedding_vector)
            .join(
                ImageEmbeddingComponent,
                ImageEmbeddingComponent.entity_id == FilePropertiesComponent.entity_id,
            )
            .where(ImageEmbeddingComponent.model_name == TINY_EMBEDDING_MODEL)
        )
        return {str(name): bytes_to_vector(blob) for name, blob in rows.all()}


async def waiting_for_embedding(world: World) -> int:
    async with world.session() as session:
        return int(await session.scalar(select(func.count()).select_from(NeedsEmbeddingMarker)) or 0)


async def test_embeddings_through_the_worker_match_the_in_process_ones(
    world: World,
    tiny_clip: SemanticSettings,  # noqa: F811
    tmp_path: Path,
    tiny_weights_file: Path,  # noqa: F811
    worker_manager: ModelExecutionManager,
) -> None:
    await import_pictures(world, tmp_path / "pictures")
    in_process = world.resources.get(ModelExecutionManager)
    await image_embeddings.import_image_model_weights(in_process, tiny_clip, tiny_weights_file)
    await world.run_all_stages([SystemStage.IMAGE_EMBEDDING])
    local = await stored_vectors(world)
    assert set(local) == {f"{k}.png" for k in KINDS}

    embedder = await image_embeddings.get_clip_embedder(worker_manager, tiny_clip)
    files = [tmp_path / "pictures" / name for name in sorted(local)]
    vectors, unreadable = await worker_manager.run(embedder.encode_images, files, batch_size=2)
    assert unreadable == {}
    assert np.allclose(vectors, np.stack([local[name] for name in sorted(local)]), atol=1e-5)

    local_embedder = await image_embeddings.get_clip_embedder(in_process, tiny_clip)
    query = ["a red disc", "blue stripes"]
    assert np.allclose(
        await worker_manager.run(embedder.encode_texts, query),
        await in_process.run(local_embedder.encode_texts, query),
        atol=1e-5,
    )
    assert np.allclose(
        await semantic_service.encode_texts(worker_manager, query),
        await semantic_service.encode_texts(in_process, query),
        atol=1e-5,
    )
    assert host(worker_manager).starts == 1  # one worker served every model and request

    # New weights for the model ("Import weights…" again): the worker drops its copy, loads anew.
    await image_embeddings.import_image_model_weights(worker_manager, tiny_clip, tiny_weights_file)
    assert [m for m in worker_manager.loaded_models() if m[0] == "open_clip_embedder"] == []
    embedder = await image_embeddings.get_clip_embedder(worker_manager, tiny_clip)
    again, _ = await worker_manager.run(embedder.encode_images, files, batch_size=2)
    assert np.allclose(again, vectors, atol=1e-5) and host(worker_manager).starts == 1


async def test_sentence_search_and_model_tags_work_with_every_model_in_the_worker(
    world: World,
    tiny_clip: SemanticSettings,  # noqa: F811
    tmp_path: Path,
    tiny_weights_file: Path,  # noqa: F811
    worker_manager: ModelExecutionManager,
) -> None:
    use_manager(world, worker_manager)
    await import_pictures(world, tmp_path / "pictures")
    # The weights file is checked in the worker too (that check loads the model).
    await image_embeddings.import_image_model_weights(worker_manager, tiny_clip, tiny_weights_file)
    world.resources.get(AutoTaggingSettings).models_dir = tiny_clip.models_dir
    await use_image_model(world, TINY_EMBEDDING_MODEL)  # its tags come from the stored vectors
    stages = [SystemStage.TEXT_EMBEDDING, SystemStage.IMAGE_EMBEDDING, SystemStage.AUTO_TAGGING]
    reports = await world.run_all_stages(stages)
    assert [r.failed for r in reports] == [{}, {}, {}]
    assert await waiting_for_embedding(world) == 0
    assert len(await stored_vectors(world)) == len(KINDS)
    async with world.session() as session:
        proposals = await session.scalar(select(func.count()).select_from(ModelGeneratedTagLinkComponent))
    assert proposals == 3 * len(KINDS)  # the best three tags of each image (threshold 0)

    async with world.session() as session:
        found = await search_by_sentence(
            session,
            world.resources.get(VectorIndexCache),
            worker_manager,
            tiny_clip,
            world.resources.get(AudioSettings),
            "stripes",
            limit=10,
        )
    assert {h.model for h in found.hits} >= {TINY_EMBEDDING_MODEL, "all-MiniLM-L6-v2"}
    assert {h.filename for h in found.hits} == {f"{k}.png" for k in KINDS}
    assert host(worker_manager).pid != os.getpid()


async def kill_under_the_next_request(world: World, worker: ModelWorker) -> list[Any]:
    """Run the image stage with the worker frozen, so it is surely mid-batch when killed."""
    await worker.call(str, ("started",), {})  # a worker is running (it reloads the model later)
    pid = worker.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    stage = asyncio.ensure_future(world.run_all_stages([SystemStage.IMAGE_EMBEDDING]))
    await until(lambda: worker.busy, "the batch reached the worker")
    os.kill(pid, signal.SIGKILL)
    return list(await asyncio.wait_for(stage, 120))


async def test_a_worker_killed_mid_batch_costs_only_the_file_it_died_on(
    world: World,
    tiny_clip: SemanticSettings,  # noqa: F811
    tmp_path: Path,
    tiny_weights_file: Path,  # noqa: F811
    worker_manager: ModelExecutionManager,
) -> None:
    use_manager(world, worker_manager)
    await import_pictures(world, tmp_path / "first", ("disc",))
    await image_embeddings.import_image_model_weights(worker_manager, tiny_clip, tiny_weights_file)
    await image_embeddings.get_clip_embedder(worker_manager, tiny_clip)
    worker = host(worker_manager)

    # Killed under one file: that file fails with the reason, and nothing is stored.
    [report] = await kill_under_the_next_request(world, worker)
    [why] = report.failed.values()
    assert "model worker stopped (killed by signal 9, perhaps out of memory)" in why
    assert await stored_vectors(world) == {}

    # Killed under three files (the one that failed comes again): each half is tried again with a
    # new worker, and as the files were not what killed it, every one is embedded.
    await import_pictures(world, tmp_path / "second", ("stripes", "square"))
    [report] = await kill_under_the_next_request(world, worker)
    assert report.failed == {}
    assert set(await stored_vectors(world)) == {"disc.png", "stripes.png", "square.png"}
    assert worker.starts == 3


async def test_closing_stops_a_busy_worker_at_once(
    world: World,
    tiny_clip: SemanticSettings,  # noqa: F811
    tmp_path: Path,
    tiny_weights_file: Path,  # noqa: F811
    worker_manager: ModelExecutionManager,
) -> None:
    await image_embeddings.import_image_model_weights(worker_manager, tiny_clip, tiny_weights_file)
    embedder = await image_embeddings.get_clip_embedder(worker_manager, tiny_clip)
    worker = host(worker_manager)
    pid = worker.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    request = asyncio.ensure_future(worker_manager.run(embedder.encode_texts, ["a disc"]))
    await until(lambda: worker.busy, "the request reached the worker")
    worker_manager.close()
    with pytest.raises(ModelWorkerError, match="library closed"):
        await asyncio.wait_for(request, 10)
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
    with pytest.raises(ModelWorkerError):
        await worker_manager.run(embedder.encode_texts, ["a disc"])


async def test_an_idle_worker_gives_its_memory_back_and_the_next_request_starts_another(
    tiny_clip: SemanticSettings,  # noqa: F811
    tiny_weights_file: Path,  # noqa: F811
) -> None:
    worker = ModelWorker(idle_s=0.2)
    manager = ModelExecutionManager(host=worker)
    try:
        await image_embeddings.import_image_model_weights(manager, tiny_clip, tiny_weights_file)
        embedder = await image_embeddings.get_clip_embedder(manager, tiny_clip)
        first = await manager.run(embedder.encode_texts, ["a disc"])
        await until(lambda: worker.pid is None, "the idle worker stopped")
        again = await manager.run(embedder.encode_texts, ["a disc"])
        assert worker.starts == 2
        assert np.allclose(first, again, atol=1e-6)
    finally:
        manager.close()


RUNNER = Path(__file__).with_name("window_model_runner.py")


async def run_window(
    command: str, tmp_path: Path, weights: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, object]:
    """A library whose pictures wait for the tiny model, and the real window run on it."""
    import json
    import subprocess
    import sys

    from dam_desktop.ml.catalogue import get_entry
    from dam_desktop.ml.model_store import import_model
    from dam_desktop.use_cases.models import use_image_model
    from dam_desktop.world_setup import open_world
    from tests.test_semantic_clip import write_tiny_catalogue

    env = {
        "DAM_DESKTOP_MODEL_CATALOGUE": str(write_tiny_catalogue(tmp_path / "catalogue")),
        "DAM_DESKTOP_MODELS_DIR": str(tmp_path / "models"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import_model(get_entry(TINY_EMBEDDING_MODEL), weights)
    library = tmp_path / "library"
    world = await open_world(library)
    try:
        await import_pictures(world, tmp_path / "pictures")
        await use_image_model(world, TINY_EMBEDDING_MODEL)
    finally:
        await world.close()

    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, str(RUNNER), command, str(library)],
        env={
            **os.environ,
            **env,
            "QT_QPA_PLATFORM": "offscreen",
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "PYTHONPATH": str(Path(__file__).parents[1]),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    seen: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


@pytest.mark.sqlite_only("the window opens a library folder")
async def test_the_window_embeds_through_its_worker_and_never_imports_torch(
    tmp_path: Path,
    tiny_weights_file: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = await run_window("embed", tmp_path, tiny_weights_file, monkeypatch)
    assert seen["embedded"] == len(KINDS)
    assert not seen["torch"] and not seen["open_clip"] and not seen["sentence_transformers"]
    assert isinstance(seen["worker_pid"], int) and seen["worker_gone"]


@pytest.mark.sqlite_only("the window opens a library folder")
async def test_the_window_says_when_its_worker_dies_and_embeds_the_files_with_a_new_one(
    tmp_path: Path,
    tiny_weights_file: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = await run_window("kill", tmp_path, tiny_weights_file, monkeypatch)
    status = str(seen["status"])
    assert "not done: the model worker stopped (killed by signal 9, perhaps out of memory)" in status
    assert status.split(":")[0] in {"Embedding names and tags", "Embedding images", "Proposing tags"}
    assert seen["embedded"] == len(KINDS)
    assert seen["worker_starts"] == 2 and seen["worker_gone"] and not seen["torch"]


@pytest.mark.sqlite_only("the window opens a library folder")
async def test_quitting_while_the_worker_is_mid_request_is_quick_and_ends_the_worker(
    tmp_path: Path,
    tiny_weights_file: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = await run_window("quit", tmp_path, tiny_weights_file, monkeypatch)
    # The bound of test_quit_while_importing (quitting took 0.25-0.75 s on a loaded 2-core box).
    assert float(str(seen["quit_s"])) < 3.0
    assert seen["worker_gone"] and seen["embedded"] == 0 and not seen["torch"]
