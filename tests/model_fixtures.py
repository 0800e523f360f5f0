"""A catalogue of tiny real-architecture open_clip models, and the environment that points the app's
models folder, the Hugging Face cache and the hub at the test's own folders and fake hub."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fake_hub import FakeHub, serve_fake_hub
from tests.tagging_fixtures import TINY_ARCH, TINY_CONFIG

TINY_P16_ARCH = "dam-test-tiny-vit-p16"
TINY_P16_CONFIG = {**TINY_CONFIG, "vision_cfg": {**TINY_CONFIG["vision_cfg"], "patch_size": 16}}
TINY_REPO = "test/tiny-clip"
TINY_FILE = "open_clip_model.safetensors"


@dataclass
class TinyModels:
    catalogue: Path
    models_dir: Path
    weights: Path  # a dam-test-tiny-vit checkpoint (.safetensors)
    p16_weights: Path  # a checkpoint of the same family with patch 16: "the other model's weights"
    sha256: str


def _save_tiny(arch: str, config: dict[str, object], folder: Path, seed: int) -> Path:
    import open_clip
    import torch  # noqa: TID251
    from safetensors.torch import save_file

    config_file = folder / f"{arch}.json"
    config_file.write_text(json.dumps(config))
    open_clip.add_model_config(config_file)
    torch.manual_seed(seed)
    model = open_clip.create_model(arch, pretrained=None)
    weights = folder / f"{arch}.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(weights))
    return weights


@pytest.fixture(scope="session")
def tiny_checkpoints(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tiny-checkpoints")
    p8 = _save_tiny(TINY_ARCH, TINY_CONFIG, folder, 0)
    return p8, _save_tiny(TINY_P16_ARCH, TINY_P16_CONFIG, folder, 1)


def _entry(name: str, arch: str, sha: str | None, size: int) -> dict[str, object]:
    return {
        "name": name,
        "title": f"Tiny test CLIP ({arch})",
        "tasks": ["image-search", "image-tags"],
        "family": "open_clip",
        "architecture": arch,
        "pretrained": "random-init",
        "dimensions": 32,
        "hf_repo": TINY_REPO if name == "tiny-clip" else f"{TINY_REPO}-p16",
        "hf_file": TINY_FILE,
        "size_bytes": size,
        "size_exact": True,
        "sha256": sha,
        "licence": "MIT",
        "open_clip_config": f"{arch}.json",
        # Random weights give a nearly flat distribution over the vocabulary: keep the best three.
        "tag_threshold": 0.0,
        "max_tags": 3,
    }


@pytest.fixture
def tiny_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_checkpoints: tuple[Path, Path]
) -> TinyModels:
    """Catalogue entries `tiny-clip` and `tiny-clip-p16`, an empty models folder and HF cache."""
    weights, p16 = tiny_checkpoints
    sha = hashlib.sha256(weights.read_bytes()).hexdigest()
    catalogue = weights.parent / f"catalogue-{tmp_path.name}.json"
    entries = [
        _entry("tiny-clip", TINY_ARCH, sha, weights.stat().st_size),
        _entry("tiny-clip-p16", TINY_P16_ARCH, None, p16.stat().st_size),
    ]
    catalogue.write_text(json.dumps({"version": 1, "models": entries}))
    monkeypatch.setenv("DAM_DESKTOP_MODEL_CATALOGUE", str(catalogue))
    monkeypatch.setenv("DAM_DESKTOP_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    return TinyModels(catalogue, tmp_path / "models", weights, p16, sha)


@pytest.fixture
def fake_hub(tiny_models: TinyModels, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    """The hub, serving the tiny checkpoint as test/tiny-clip; downloads switched on."""
    from huggingface_hub import constants

    hub = FakeHub()
    hub.add(TINY_REPO, TINY_FILE, tiny_models.weights.read_bytes())
    with serve_fake_hub(hub):
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.setenv("HF_HUB_OFFLINE", "0")
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
        yield hub
