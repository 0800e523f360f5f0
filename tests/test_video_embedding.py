"""Clips are embedded by the image model from their keyframes (the scrub strip's eight frames), so
a sentence finds clips as it finds pictures; with a tiny open_clip of random weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from sqlalchemy import func, select

from dam_desktop.core.library import SCRUB_STRIP_FRAMES
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.models.core.pipeline_markers import NeedsEmbeddingMarker
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.services.media.scrub_strip import split_strip
from dam_desktop.services.semantic import image_embeddings
from dam_desktop.services.semantic.audio_service import AudioSettings
from dam_desktop.services.semantic.semantic_search import search_by_sentence
from dam_desktop.services.semantic.semantic_service import SemanticSettings
from dam_desktop.services.semantic.vector_index import VectorIndexCache, bytes_to_vector
from tests.media_kind_factory import write_video
from tests.tagging_fixtures import draw_image
from tests.test_semantic_clip import tiny_clip, tiny_vectors

__all__ = ["tiny_clip"]  # the fixture, used by name


async def test_a_clip_is_embedded_from_its_keyframes_and_found_by_a_sentence(
    world: World, tiny_clip: SemanticSettings, tmp_path: Path, tiny_weights_file: Path
) -> None:
    folder = tmp_path / "shoot"
    folder.mkdir()
    write_video(folder / "harbour.mp4", seconds=2.0, size=(320, 240), audio_codec=None)
    draw_image(folder / "disc.png", "disc")
    report = await import_paths(world, [folder])
    assert report.failed == [] and len(report.imported) == 2
    manager = world.resources.get(ModelExecutionManager)
    await image_embeddings.import_image_model_weights(manager, tiny_clip, tiny_weights_file)

    outcomes = await world.run_all_stages([SystemStage.THUMBNAIL_GENERATION, SystemStage.IMAGE_EMBEDDING])
    assert all(outcome.failed == {} for outcome in outcomes)
    async with world.session() as session:
        assert await session.scalar(select(func.count()).select_from(NeedsEmbeddingMarker)) == 0
    rows = {row.entity_id: row for row in await tiny_vectors(world)}
    assert set(rows) == set(report.imported)

    async with world.session() as session:
        hits = await search_by_sentence(
            session,
            world.resources.get(VectorIndexCache),
            manager,
            tiny_clip,
            world.resources.get(AudioSettings),
            "boats in a harbour at dusk",
            limit=10,
        )
    by_name = {hit.filename: hit for hit in hits.hits}
    assert "harbour.mp4" in by_name
    clip_id = by_name["harbour.mp4"].entity_id

    # The clip's vector is the mean of its eight keyframes' vectors, not its poster's.
    [strip_path] = world.paths.thumbnails_dir.rglob("*.strip.webp")  # the only clip's
    frames_dir = tmp_path / "frames"
    frames_dir.mkdir()
    with Image.open(strip_path) as strip:
        frames = split_strip(strip.convert("RGB"))
    files = []
    for index, frame in enumerate(frames):
        frame.save(frames_dir / f"{index}.png")
        files.append(frames_dir / f"{index}.png")
    assert len(files) == SCRUB_STRIP_FRAMES
    embedder = await image_embeddings.get_clip_embedder(manager, tiny_clip)
    frame_vectors, unreadable = await manager.run(embedder.encode_images, files)
    assert unreadable == {}
    mean = frame_vectors.mean(axis=0)
    expected = mean / np.linalg.norm(mean)
    stored = bytes_to_vector(rows[clip_id].embedding_vector)
    poster = world.paths.thumbnail_path(strip_path.name.removesuffix(".strip.webp"))
    poster_vectors, _ = await manager.run(embedder.encode_images, [poster])
    # Batches of other sizes differ in the last digits (threaded CPU kernels): compare distances.
    to_mean = float(np.linalg.norm(stored - expected))
    to_poster = float(np.linalg.norm(stored - poster_vectors[0]))
    assert to_mean < 0.005 and to_poster > 4 * to_mean, (to_mean, to_poster)
