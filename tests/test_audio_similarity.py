"""Similar sounds with no downloaded weights: a re-encoded, trimmed, quieter copy finds its original."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dam_desktop.cli.main import main
from dam_desktop.core.errors import SystemExecutionError
from dam_desktop.core.events import AudioSearchQuery
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.ml.open_clip_loader import WeightsMissingError
from dam_desktop.models.files import FilePropertiesComponent
from dam_desktop.models.semantic import (
    AudioEmbeddingClapHtsatUnfusedDim512Component,
    AudioEmbeddingSoundprintV2Dim128Component,
)
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.services.semantic import audio_service
from dam_desktop.services.semantic.audio_service import AudioSettings
from dam_desktop.services.semantic.vector_index import VectorIndexCache
from dam_desktop.services.tags import tag_service
from dam_desktop.world_setup import open_world
from tests.audio_synthesis import write_altered_copy, write_sounds

# One sound of each kind (tone, chord, chirp, noise bursts, clicks, pluck, vibrato), copied in turns
# to OGG Vorbis (lossy) and FLAC, with 10% cut off each end and the level lowered by 8 dB.
COPIED = {0: "ogg", 1: "flac", 2: "ogg", 3: "flac", 4: "ogg", 5: "flac", 6: "ogg"}


@dataclass(frozen=True)
class SoundLibrary:
    path: Path | str  # the folder, or on the PostgreSQL pass the shared library's URL
    ids: dict[str, int]  # file name -> entity id
    models_dir: Path


async def _open(library: SoundLibrary) -> World:
    world = await open_world(library.path)
    world.resources.get(AudioSettings).models_dir = library.models_dir
    return world


@pytest.fixture(scope="module")
def sound_library(
    tmp_path_factory: pytest.TempPathFactory, module_library_location: Path | str
) -> SoundLibrary:
    root = tmp_path_factory.mktemp("sounds")
    originals = write_sounds(root / "originals")
    copies = root / "copies"
    copies.mkdir()
    for index, ext in COPIED.items():
        write_altered_copy(originals[index], copies / f"copy_of_{index:02d}.{ext}", gain=0.4)
    library = SoundLibrary(module_library_location, {}, root / "no-models")

    async def build() -> dict[str, int]:
        world = await _open(library)
        try:
            report = await import_paths(world, [root / "originals", copies])
            assert not report.failed
            stage = await world.execute_stage(SystemStage.AUDIO_PROCESSING)
            assert not stage.failed
            async with world.session() as session:
                rows = await session.execute(
                    select(FilePropertiesComponent.original_filename, FilePropertiesComponent.entity_id)
                )
                return {name: eid for name, eid in rows.all()}
        finally:
            await world.close()

    library.ids.update(asyncio.run(build()))
    return library


async def test_an_altered_copy_finds_its_original_first_among_fifty_sounds(
    sound_library: SoundLibrary,
) -> None:
    ids = sound_library.ids
    world = await _open(sound_library)
    try:
        for index, ext in COPIED.items():
            copy_id = ids[f"copy_of_{index:02d}.{ext}"]
            [hits] = await world.dispatch_event(AudioSearchQuery(entity_id=copy_id, limit=5))
            assert hits[0].entity_id == ids[f"sound_{index:02d}.wav"], f"copy of sound {index} ({ext})"
            assert hits[0].asset_type == "audio"
            assert copy_id not in {h.entity_id for h in hits}
            assert hits[0].score > hits[1].score
    finally:
        await world.close()


async def test_every_sound_has_a_weights_free_embedding_and_none_from_clap(
    sound_library: SoundLibrary,
) -> None:
    world = await _open(sound_library)
    try:
        async with world.session() as session:
            rows = (
                await session.execute(
                    select(AudioEmbeddingSoundprintV2Dim128Component.model_name, func.count()).group_by(
                        AudioEmbeddingSoundprintV2Dim128Component.model_name
                    )
                )
            ).all()
            clap_rows = await session.scalar(
                select(func.count()).select_from(AudioEmbeddingClapHtsatUnfusedDim512Component)
            )
            component = await session.scalar(select(AudioEmbeddingSoundprintV2Dim128Component).limit(1))
        assert rows == [("soundprint-v2", 50 + len(COPIED))]
        assert clap_rows == 0
        assert component is not None and len(component.embedding_vector) == 128 * 4
    finally:
        await world.close()


async def test_describing_a_sound_without_clap_says_the_model_is_missing(sound_library: SoundLibrary) -> None:
    world = await _open(sound_library)
    try:
        settings = world.resources.get(AudioSettings)
        assert not audio_service.clap_available(settings)
        with pytest.raises(SystemExecutionError) as caught:
            await world.dispatch_event(AudioSearchQuery(query_text="rain on a window"))
        missing = caught.value.cause
        assert isinstance(missing, WeightsMissingError)
        assert "CLAP" in missing.user_message
        assert "similar sounds works without them" in missing.user_message
    finally:
        await world.close()


async def test_similar_sounds_can_be_narrowed_by_a_tag_query(sound_library: SoundLibrary) -> None:
    ids = sound_library.ids
    world = await _open(sound_library)
    try:
        keep = [ids["sound_10.wav"], ids["sound_20.wav"], ids["sound_30.wav"]]
        from dam_desktop.services.search import search_service

        async with world.session() as session:
            await tag_service.add_tags(session, keep, ["shortlist"])
            await session.commit()
            allowed = frozenset(await search_service.search(session, "shortlist", limit=None))
        [hits] = await world.dispatch_event(
            AudioSearchQuery(entity_id=ids["copy_of_00.ogg"], allowed_entity_ids=allowed)
        )
        assert {h.entity_id for h in hits} == set(keep)
        async with world.session() as session:
            await tag_service.remove_tags(session, keep, ["shortlist"])
            await session.commit()
    finally:
        await world.close()


def test_cli_similar_lists_the_original_first_with_its_score(
    sound_library: SoundLibrary, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = sound_library.ids
    status = main(
        ["--library", str(sound_library.path), "similar", str(ids["copy_of_03.flac"]), "--limit", "3"]
    )
    out = capsys.readouterr().out.splitlines()
    assert status == 0
    assert len(out) == 3
    entity_id, score, asset_type, filename, model = out[0].split("\t")
    assert int(entity_id) == ids["sound_03.wav"]
    assert 0.0 < float(score) <= 1.0
    assert (asset_type, filename, model) == ("audio", "sound_03.wav", "soundprint-v2")
    scores = [float(line.split("\t")[1]) for line in out]
    assert scores == sorted(scores, reverse=True)


async def test_a_sound_file_outside_the_library_finds_its_original(
    sound_library: SoundLibrary, tmp_path: Path
) -> None:
    import soundfile as sf

    from tests.audio_synthesis import make_sound

    probe = tmp_path / "probe.flac"
    sf.write(probe, make_sound(17)[5000:-5000] * 0.3, 22050)
    world = await _open(sound_library)
    try:
        async with world.session() as session:
            hits = await audio_service.find_similar_by_audio_file(
                session, world.resources.get(VectorIndexCache), probe, limit=3
            )
        assert hits[0].entity_id == sound_library.ids["sound_17.wav"]
    finally:
        await world.close()


async def test_a_sound_that_no_longer_decodes_is_named_with_its_reason_and_the_others_are_embedded(
    world: World, tmp_path: Path
) -> None:
    good, bad = write_sounds(tmp_path / "card", count=2)
    report = await import_paths(world, [tmp_path / "card"], mode="reference")
    assert len(report.imported) == 2
    bad.write_bytes(b"RIFF this is no longer a sound")
    async with world.session() as session:
        rows = await session.execute(
            select(FilePropertiesComponent.original_filename, FilePropertiesComponent.entity_id)
        )
        ids = {name: eid for name, eid in rows.all()}
        failed = await audio_service.generate_audio_embeddings(session, world.paths, list(ids.values()))
        stored = await session.scalars(select(AudioEmbeddingSoundprintV2Dim128Component.entity_id))
        assert set(stored) == {ids[good.name]}
    assert list(failed) == [ids[bad.name]]
    assert failed[ids[bad.name]].startswith(f"cannot decode {bad}: ")
