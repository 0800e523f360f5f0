"""Text→sound search through CLAP: a tiny ClapModel (the real transformers architecture, random
weights) saved as a model folder where the app looks for imported weights, from import to search."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import LargeBinary, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from dam_desktop.core.events import AudioSearchQuery
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.models.semantic import AudioEmbeddingSoundprintV2Dim128Component
from dam_desktop.models.semantic.audio_embedding_component import (
    AUDIO_EMBEDDING_MODEL_REGISTRY,
    BaseSpecificAudioEmbeddingComponent,
)
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.services.semantic import audio_service
from dam_desktop.services.semantic.audio_service import AudioSettings
from tests.audio_synthesis import write_sounds

TINY_CLAP = "test-tiny-clap"
TINY_REPO = "test/tiny-clap"


class TinyClapEmbeddingComponent(BaseSpecificAudioEmbeddingComponent):
    """Only in tests: the tiny CLAP's 16-d vectors."""

    __tablename__ = "component_audio_embedding_test_tiny_clap_d16"

    embedding_vector: Mapped[bytes] = mapped_column(LargeBinary)
    model_name: Mapped[str] = mapped_column(String(255))


@pytest.fixture(scope="module")
def tiny_clap_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """models/clap/test__tiny-clap: config, weights, tokenizer and feature-extractor files."""
    import torch  # noqa: TID251
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import ClapConfig, ClapFeatureExtractor, ClapModel, ClapProcessor, RobertaTokenizerFast

    words = ["<s>", "<pad>", "</s>", "<unk>", "<mask>", "rain", "on", "a", "window", "dog", "bark", "bell"]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = RobertaTokenizerFast(
        tokenizer_object=backend,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        mask_token="<mask>",
    )
    config = ClapConfig(
        text_config={
            "vocab_size": len(words),
            "hidden_size": 32,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "intermediate_size": 64,
            "max_position_embeddings": 64,
            "projection_dim": 16,
        },
        audio_config={
            "depths": [1, 1],
            "num_attention_heads": [2, 2],
            "patch_embeds_hidden_size": 16,
            "hidden_size": 32,
            "projection_dim": 16,
            "num_classes": 10,
        },
        projection_dim=16,
    )
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("models") / "clap" / TINY_REPO.replace("/", "__")
    ClapModel(config).save_pretrained(folder)
    ClapProcessor(
        feature_extractor=ClapFeatureExtractor(truncation="rand_trunc"), tokenizer=tokenizer
    ).save_pretrained(folder)
    return folder


@pytest.fixture
async def clap_world(world: World, tiny_clap_folder: Path) -> World:
    AUDIO_EMBEDDING_MODEL_REGISTRY[TINY_CLAP] = {
        "model_class": TinyClapEmbeddingComponent,
        "default_params": {
            "dimensions": 16,
            "needs_weights": True,
            "supports_text": True,
            "hf_repo": TINY_REPO,
        },
    }
    settings = world.resources.get(AudioSettings)
    settings.text_model = TINY_CLAP
    settings.models_dir = tiny_clap_folder.parent.parent
    async with world.engine.begin() as conn:
        await conn.run_sync(TinyClapEmbeddingComponent.__table__.create, checkfirst=True)
    return world


async def test_sounds_get_clap_embeddings_and_a_description_finds_sounds(
    clap_world: World, tmp_path: Path
) -> None:
    world = clap_world
    write_sounds(tmp_path / "sounds", count=6)
    report = await import_paths(world, [tmp_path / "sounds"])
    assert not report.failed
    assert audio_service.clap_available(world.resources.get(AudioSettings))

    stage = await world.execute_stage(SystemStage.AUDIO_PROCESSING)
    assert not stage.failed
    async with world.session() as session:
        clap_rows = (await session.scalars(select(TinyClapEmbeddingComponent))).all()
        fingerprints = await session.scalar(
            select(func.count()).select_from(AudioEmbeddingSoundprintV2Dim128Component)
        )
    assert len(clap_rows) == 6 and fingerprints == 6
    assert {row.model_name for row in clap_rows} == {TINY_CLAP}
    assert all(len(row.embedding_vector) == 16 * 4 for row in clap_rows)

    [hits] = await world.dispatch_event(AudioSearchQuery(query_text="rain on a window", limit=3))
    assert len(hits) == 3
    assert all(hit.asset_type == "audio" for hit in hits)
    assert hits[0].score >= hits[1].score >= hits[2].score


async def test_clap_in_the_model_worker_decodes_there_and_gives_the_in_process_vectors(
    clap_world: World, tmp_path: Path
) -> None:
    import numpy as np

    from dam_desktop.core.model_manager import ModelExecutionManager
    from dam_desktop.ml.worker_client import ModelWorker

    settings = clap_world.resources.get(AudioSettings)
    files = write_sounds(tmp_path / "sounds", count=3)
    broken = tmp_path / "sounds" / "broken.wav"
    broken.write_bytes(b"not a sound at all")
    files.insert(1, broken)
    in_process = clap_world.resources.get(ModelExecutionManager)
    local = await audio_service.get_clap(in_process, settings)
    expected, expected_errors = await in_process.run(local.encode_audio_files, files)

    worker = ModelExecutionManager(host=ModelWorker())
    try:
        remote = await audio_service.get_clap(worker, settings)
        vectors, errors = await worker.run(remote.encode_audio_files, files)
    finally:
        worker.close()
    assert [bool(e) for e in errors] == [False, True, False, False] and errors == expected_errors
    assert vectors[1] is None
    for got, want in zip(vectors, expected, strict=True):
        assert (got is None and want is None) or np.allclose(got, want, atol=1e-5)
