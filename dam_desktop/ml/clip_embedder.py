"""CLIP image and text embeddings with open_clip, in one space (text→image and image→image search).

Weights are found by `open_clip_loader` (the user's models folder, then the Hugging Face cache);
without them loading raises `WeightsMissingError`. Runs on the model thread.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from dam_desktop.ml.open_clip_loader import OpenClipBundle, open_clip_loader
from dam_desktop.utils.model_utils import oom_retry_batch_adjustment

log = logging.getLogger(__name__)


class ImageReadError(ValueError):
    """An image file could not be decoded."""


@dataclass
class ClipEmbedder:
    bundle: OpenClipBundle

    def _load_images(self, paths: Sequence[Path]) -> tuple[list[Any], dict[int, str]]:
        from PIL import Image

        tensors: list[Any] = []
        failed: dict[int, str] = {}
        for i, path in enumerate(paths):
            try:
                with Image.open(path) as img:
                    img.draft("RGB", (self.bundle.image_size * 2, self.bundle.image_size * 2))
                    tensors.append(self.bundle.preprocess(img.convert("RGB")))
            except Exception as exc:
                failed[i] = f"cannot read image: {exc}"
        return tensors, failed

    @oom_retry_batch_adjustment(max_retries=4)
    def encode_images(
        self, paths: Sequence[Path], *, batch_size: int = 32
    ) -> tuple[npt.NDArray[np.float32], dict[int, str]]:
        """(rows for readable images, in order) and {position: reason} for the unreadable ones."""
        import torch  # noqa: TID251

        tensors, failed = self._load_images(paths)
        if not tensors:
            return np.zeros((0, 0), dtype=np.float32), failed
        rows = []
        with torch.inference_mode():
            for start in range(0, len(tensors), batch_size):
                batch = torch.stack(tensors[start : start + batch_size]).to(self.bundle.device)
                features = self.bundle.model.encode_image(batch)
                rows.append(torch.nn.functional.normalize(features.float(), dim=-1).cpu().numpy())
        return np.concatenate(rows).astype(np.float32), failed

    def encode_texts(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        import torch  # noqa: TID251

        with torch.inference_mode():
            tokens = self.bundle.tokenizer(list(texts)).to(self.bundle.device)
            features = self.bundle.model.encode_text(tokens)
            return torch.nn.functional.normalize(features.float(), dim=-1).cpu().numpy().astype(np.float32)


def clip_embedder_loader(model_name_or_path: str, params: Mapping[str, Any]) -> ClipEmbedder:
    """ModelExecutionManager loader; `model_name_or_path` is open_clip's `ARCH/pretrained`."""
    return ClipEmbedder(open_clip_loader(model_name_or_path, params))
