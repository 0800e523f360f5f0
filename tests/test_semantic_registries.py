"""The model registries send each model to its own table, and every table exists in a library."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dam_desktop.core.world import World
from dam_desktop.models.semantic import (
    AUDIO_EMBEDDING_MODEL_REGISTRY,
    EMBEDDING_MODEL_REGISTRY,
    get_audio_embedding_component_class,
    get_embedding_component_class,
)

EXPECTED = {
    ("text", "all-MiniLM-L6-v2"): "component_embedding_minilm_l6_v2_d384",
    ("audio", "soundprint-v2"): "component_audio_embedding_soundprint_d128",
    ("audio", "logmel-stats-v1"): "component_audio_embedding_logmel_d224",
    ("audio", "clap-htsat-unfused"): "component_audio_embedding_clap_htsat_unfused_d512",
}

LOOKUPS = {
    "text": get_embedding_component_class,
    "audio": get_audio_embedding_component_class,
}


@pytest.mark.parametrize(("kind", "model"), list(EXPECTED))
def test_each_model_has_its_own_table(kind: str, model: str) -> None:
    table = LOOKUPS[kind](model)
    assert table is not None
    assert table.__tablename__ == EXPECTED[(kind, model)]


def test_a_model_with_other_dimensions_or_an_unknown_name_has_no_table() -> None:
    assert get_embedding_component_class("all-MiniLM-L6-v2", {"dimensions": 384}) is not None
    assert get_embedding_component_class("all-MiniLM-L6-v2", {"dimensions": 256}) is None
    assert get_embedding_component_class("no-such-model") is None
    assert get_audio_embedding_component_class("vggish") is None


def test_no_two_models_share_a_table() -> None:
    tables = [
        info["model_class"].__tablename__
        for registry in (
            EMBEDDING_MODEL_REGISTRY,
            AUDIO_EMBEDDING_MODEL_REGISTRY,
        )
        for info in registry.values()
    ]
    assert len(tables) == len(set(tables))


@pytest.mark.sqlite_only("reads the tables' SQL from the library's SQLite file (AUTOINCREMENT is SQLite's)")
async def test_a_new_library_has_every_embedding_table(world: World, library_path: Path) -> None:
    with sqlite3.connect(library_path / "dam.sqlite3") as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        schema = conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'component_audio_embedding_logmel_d224'"
        ).fetchone()[0]
    assert set(EXPECTED.values()) | {"component_image_embedding", "library_model_choice"} <= names
    assert "component_marker_needs_text_embedding" in names
    assert "model_name" in schema and "AUTOINCREMENT" in schema
