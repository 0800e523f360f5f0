"""A .safetensors checkpoint is copied into the model tensor by tensor (never held whole beside the
model): the loaded model holds exactly the file's tensors, and a file cut short is refused in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from dam_desktop.ml.checkpoints import InvalidWeightsError
from dam_desktop.ml.open_clip_loader import OpenClipSpec, build_model
from tests.tagging_fixtures import TINY_ARCH, tiny_weights_file  # noqa: F401


def test_the_model_holds_exactly_the_files_tensors(tiny_weights_file: Path) -> None:  # noqa: F811
    import torch  # noqa: TID251
    from safetensors.torch import load_file

    bundle = build_model(OpenClipSpec(TINY_ARCH, "random-init"), tiny_weights_file)
    stored = load_file(str(tiny_weights_file))
    loaded = bundle.model.state_dict()
    assert set(loaded) == set(stored)
    assert all(torch.equal(loaded[name], stored[name]) for name in stored)


def test_a_checkpoint_cut_short_is_refused(tiny_weights_file: Path, tmp_path: Path) -> None:  # noqa: F811
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(tiny_weights_file.read_bytes()[:-1000])
    with pytest.raises(InvalidWeightsError, match=r"cut\.safetensors"):
        build_model(OpenClipSpec(TINY_ARCH, "random-init"), cut, shown=str(cut))
