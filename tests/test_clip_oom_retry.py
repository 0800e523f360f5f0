"""CUDA out-of-memory during image embedding: the batch is halved until it fits, the vectors are
those of an undisturbed run, and no file is decoded again. The tiny real CLIP runs on the CPU; a
wrapper around its vision tower raises torch's own OutOfMemoryError for batches above two images,
as a small GPU would."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from dam_desktop.ml.clip_embedder import ClipEmbedder
from dam_desktop.ml.open_clip_loader import OpenClipSpec, build_model
from dam_desktop.ml.zero_shot_tagger import open_image_for_tagging
from tests.tagging_fixtures import TINY_ARCH, draw_image, tiny_weights_file  # noqa: F401

KINDS = ("disc", "stripes", "square", "line", "disc", "square")


class SmallGpu:
    """The model, but its vision tower refuses batches larger than `fits` with CUDA's OOM error."""

    def __init__(self, model: Any, fits: int) -> None:
        self.model = model
        self.fits = fits
        self.batches: list[int] = []

    def encode_image(self, pixels: Any) -> Any:
        import torch  # noqa: TID251

        self.batches.append(int(pixels.shape[0]))
        if pixels.shape[0] > self.fits:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return self.model.encode_image(pixels)


def test_an_out_of_memory_batch_is_retried_smaller_without_decoding_again(
    tiny_weights_file: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    paths = [draw_image(tmp_path / f"{i}-{kind}.png", kind) for i, kind in enumerate(KINDS)]
    bundle = build_model(OpenClipSpec(TINY_ARCH, "random-init"), tiny_weights_file)
    expected, _ = ClipEmbedder(bundle).encode_images(paths, batch_size=len(paths))

    decoded: Counter[str] = Counter()

    def counting_decode(path: Path, size: int) -> Any:
        decoded[path.name] += 1
        return open_image_for_tagging(path, size)

    small = SmallGpu(bundle.model, fits=2)
    bundle.model = small
    vectors, failed = ClipEmbedder(bundle, open_image=counting_decode).encode_images(paths, batch_size=8)

    assert failed == {}
    assert np.allclose(vectors, expected, atol=1e-5)
    assert small.batches == [6, 4, 2, 2, 2]  # batch size 8 (all six) refused, 4 refused, then 2 fits
    assert decoded == Counter({p.name: 1 for p in paths})
