"""Importing weights a user already has: every standard open_clip checkpoint form is accepted for
its catalogue entry; anything else is refused in one sentence naming the user's file and what it
holds. The `models` command does the same through the same code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dam_desktop.cli.main import main
from dam_desktop.ml.catalogue import get_entry
from dam_desktop.ml.checkpoints import InvalidWeightsError
from dam_desktop.ml.model_store import STATE_ABSENT, STATE_READY, import_model, model_status
from tests.model_fixtures import TINY_P16_ARCH, TinyModels
from tests.tagging_fixtures import TINY_ARCH
from tests.test_audio_clap import tiny_clap_folder  # noqa: F401


def _state_dict(weights: Path) -> dict[str, object]:
    from safetensors.torch import load_file

    return dict(load_file(str(weights)))


def test_a_safetensors_file_makes_the_model_ready(tiny_models: TinyModels) -> None:
    entry = get_entry("tiny-clip")

    installed = import_model(entry, tiny_models.weights)

    status = model_status(entry)
    assert status.state == STATE_READY and status.weights == installed
    assert installed.is_relative_to(tiny_models.models_dir)
    assert status.disk_bytes == tiny_models.weights.stat().st_size


def test_the_hubs_bin_and_a_training_checkpoint_with_module_prefix_are_accepted(
    tiny_models: TinyModels,
    tmp_path: Path,
) -> None:
    import torch  # noqa: TID251

    tensors = _state_dict(tiny_models.weights)
    hub_bin = tmp_path / "open_clip_pytorch_model.bin"
    torch.save(tensors, hub_bin)
    training = tmp_path / "epoch_32.pt"
    torch.save({"epoch": 32, "state_dict": {f"module.{k}": v for k, v in tensors.items()}}, training)
    entry = get_entry("tiny-clip")

    assert import_model(entry, hub_bin).suffix == ".bin"
    assert model_status(entry).state == STATE_READY
    assert import_model(entry, training).suffix == ".pt"
    assert model_status(entry).weights is not None and model_status(entry).weights.suffix == ".pt"


def test_another_models_weights_are_named_in_the_refusal(tiny_models: TinyModels) -> None:
    entry = get_entry("tiny-clip")

    with pytest.raises(InvalidWeightsError) as refused:
        import_model(entry, tiny_models.p16_weights)

    message = str(refused.value)
    assert message == f"{tiny_models.p16_weights} holds {TINY_P16_ARCH} weights, but {TINY_ARCH} was chosen"
    assert ".import-" not in message
    assert model_status(entry).state == STATE_ABSENT
    assert not [p for p in tiny_models.models_dir.rglob("*") if p.is_file()]


class _Payload:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo pwned",))


def test_a_pickle_that_carries_code_is_refused_without_running_it(
    tiny_models: TinyModels,
    tmp_path: Path,
) -> None:
    import torch  # noqa: TID251

    bad = tmp_path / "open_clip_pytorch_model.bin"
    torch.save({"visual.conv1.weight": _Payload()}, bad)

    with pytest.raises(InvalidWeightsError) as refused:
        import_model(get_entry("tiny-clip"), bad)

    message = str(refused.value)
    assert message.startswith(f"{bad} holds Python objects besides weights")
    assert "weights_only=False" not in message and ".import-" not in message
    assert "\n" not in message


def test_the_models_command_lists_imports_and_removes(
    tiny_models: TinyModels,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["models", "list"]) == 0
    rows = {line.split("\t")[0]: line.split("\t") for line in capsys.readouterr().out.splitlines()}
    assert rows["tiny-clip"][1] == STATE_ABSENT
    assert rows["clip-vit-b-32"][2:5] == ["605.1 MB", "0 B", "MIT"]

    assert main(["models", "import", "tiny-clip", str(tiny_models.weights)]) == 0
    assert "tiny-clip: ready" in capsys.readouterr().out
    main(["models", "list"])
    assert "tiny-clip\tready" in capsys.readouterr().out

    assert main(["models", "import", "tiny-clip", str(tiny_models.p16_weights)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"holds {TINY_P16_ARCH} weights" in err and "Traceback" not in err

    assert main(["models", "remove", "tiny-clip"]) == 0
    assert "removed" in capsys.readouterr().out
    assert model_status(get_entry("tiny-clip")).state == STATE_ABSENT

    assert main(["models", "download", "no-such-model"]) == 1
    assert "no model named 'no-such-model'" in capsys.readouterr().err


def test_a_clap_model_folder_is_imported_for_sound_search(
    tiny_models: TinyModels,
    tiny_clap_folder: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    entry = get_entry("clap-htsat-unfused")
    assert model_status(entry).state == STATE_ABSENT

    installed = import_model(entry, tiny_clap_folder / "model.safetensors")

    assert installed == tiny_models.models_dir / "clap" / "laion__clap-htsat-unfused"
    assert model_status(entry).state == STATE_READY
    lonely = tmp_path / "lonely" / "model.safetensors"
    lonely.parent.mkdir()
    lonely.write_bytes((tiny_clap_folder / "model.safetensors").read_bytes())
    with pytest.raises(InvalidWeightsError, match="is not a CLAP model folder"):
        import_model(entry, lonely)


def test_the_models_folder_is_the_one_the_readme_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from dam_desktop.ml.open_clip_loader import default_models_dir

    monkeypatch.delenv("DAM_DESKTOP_MODELS_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))

    assert default_models_dir() == tmp_path / "share" / "dam-desktop" / "models"
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "`~/.local/share/dam-desktop/models` (Linux)" in readme


def test_every_catalogue_image_model_can_embed_and_tag() -> None:
    from dam_desktop.ml.catalogue import FAMILY_OPEN_CLIP, TASK_IMAGE_SEARCH, TASK_IMAGE_TAGS, catalogue
    from dam_desktop.services.semantic.image_embeddings import image_model_spec
    from dam_desktop.services.tagging.tagging_service import tagging_model_params

    image_models = [e for e in catalogue() if e.family == FAMILY_OPEN_CLIP]
    assert {e.architecture for e in image_models} >= {"ViT-B-32", "ViT-B-16", "ViT-L-14"}
    for entry in image_models:
        assert {TASK_IMAGE_SEARCH, TASK_IMAGE_TAGS} <= set(entry.tasks)
        spec, _ = image_model_spec(entry.name)
        assert (spec.architecture, spec.pretrained) == (entry.architecture, entry.pretrained)
        assert tagging_model_params(entry.open_clip_name).threshold > 0
    assert get_entry("clip-vit-b-32").default_for == ("image-search", "image-tags")
