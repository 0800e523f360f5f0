"""CLIP image and text embeddings with open_clip, in one space (text→image and image→image search),
and the tag vocabulary embedded by the same loaded model (zero-shot tags from stored vectors).

One `ClipEmbedder` per model is loaded, by the model manager, and serves the embedding stage,
text→image search and the tagging stage alike: the model's weights sit in memory once.
Weights are found by `open_clip_loader` (the user's models folder, then the Hugging Face cache);
without them loading raises `WeightsMissingError`. Runs on the model thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from dam_desktop.ml.open_clip_loader import OpenClipBundle, local_weights_dir, open_clip_loader
from dam_desktop.utils.model_utils import oom_retry_batch_adjustment

if TYPE_CHECKING:
    from dam_desktop.ml.embedding_tags import VocabularyEmbedding

log = logging.getLogger(__name__)


class ImageReadError(ValueError):
    """An image file could not be decoded."""


@dataclass
class ClipEmbedder:
    bundle: OpenClipBundle
    # Where the embedded vocabularies are cached on disk (the model's folder); None: not cached.
    vocabulary_cache_dir: Path | None = None
    # The image decoder, a seam for tests that count decodes; PIL by default.
    open_image: Callable[[Path, int], Any] | None = None
    _vocabularies: dict[tuple[object, ...], VocabularyEmbedding] = field(default_factory=dict, repr=False)

    def _load_images(self, paths: Sequence[Path]) -> tuple[list[Any], dict[int, str]]:
        from dam_desktop.ml.zero_shot_tagger import open_image_for_tagging

        decode = self.open_image or open_image_for_tagging
        tensors: list[Any] = []
        failed: dict[int, str] = {}
        for i, path in enumerate(paths):
            try:
                tensors.append(self.bundle.preprocess(decode(path, self.bundle.image_size)))
            except Exception as exc:
                failed[i] = f"cannot read image: {exc}"
        return tensors, failed

    def encode_images(
        self, paths: Sequence[Path], *, batch_size: int = 32
    ) -> tuple[npt.NDArray[np.float32], dict[int, str]]:
        """(rows for readable images, in order) and {position: reason} for the unreadable ones.

        Each file is decoded once: a CUDA out-of-memory retry with a smaller batch reuses the
        preprocessed pixels instead of reading the files again.
        """
        tensors, failed = self._load_images(paths)
        if not tensors:
            return np.zeros((0, 0), dtype=np.float32), failed
        return self.encode_pixels(tensors, batch_size=batch_size), failed

    def encode_clips(
        self, strips: Sequence[tuple[Path, int]], *, batch_size: int = 32
    ) -> tuple[npt.NDArray[np.float32], dict[int, str]]:
        """One unit vector per clip, the mean of its frames' vectors: each clip is given as a
        picture of `frames` equally wide frames side by side (its scrub strip; 1: its poster).
        (rows for the readable clips, in order) and {position: reason} for the others."""
        from dam_desktop.ml.zero_shot_tagger import open_image_for_tagging

        tensors: list[Any] = []
        spans: list[tuple[int, int]] = []
        failed: dict[int, str] = {}
        for position, (path, frames) in enumerate(strips):
            try:
                strip = open_image_for_tagging(path, self.bundle.image_size * frames)
                width = strip.width // frames
                pictures = [strip.crop((i * width, 0, (i + 1) * width, strip.height)) for i in range(frames)]
                start = len(tensors)
                tensors.extend(self.bundle.preprocess(picture) for picture in pictures)
            except Exception as exc:
                failed[position] = f"cannot read the clip's frames: {exc}"
                continue
            spans.append((start, len(tensors)))
        if not tensors:
            return np.zeros((0, 0), dtype=np.float32), failed
        frame_vectors = self.encode_pixels(tensors, batch_size=batch_size)
        means = np.stack([frame_vectors[start:stop].mean(axis=0) for start, stop in spans])
        norms = np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
        return (means / norms).astype(np.float32), failed

    @oom_retry_batch_adjustment(max_retries=4)
    def encode_pixels(self, tensors: Sequence[Any], *, batch_size: int) -> npt.NDArray[np.float32]:
        """Unit image vectors of preprocessed images, `batch_size` at a time through the vision tower."""
        import torch  # noqa: TID251

        rows = []
        with torch.inference_mode():
            for start in range(0, len(tensors), batch_size):
                batch = torch.stack(list(tensors[start : start + batch_size])).to(self.bundle.device)
                features = self.bundle.model.encode_image(batch)
                rows.append(torch.nn.functional.normalize(features.float(), dim=-1).cpu().numpy())
        return np.concatenate(rows).astype(np.float32)

    def encode_texts(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        import torch  # noqa: TID251

        with torch.inference_mode():
            tokens = self.bundle.tokenizer(list(texts)).to(self.bundle.device)
            features = self.bundle.model.encode_text(tokens)
            return torch.nn.functional.normalize(features.float(), dim=-1).cpu().numpy().astype(np.float32)

    def vocabulary_embedding(self, vocabulary_name: str) -> VocabularyEmbedding:
        """The tag vocabulary embedded by this model's text tower, kept per vocabulary version.

        The vocabulary files are read on each call (a few hundred lines), so an edited vocabulary
        is embedded afresh; an unchanged one comes from memory, or from the disk cache that
        `ZeroShotTagger` keeps beside the weights (minutes of text encoding on a laptop CPU).
        """
        from dam_desktop.ml.zero_shot_tagger import ZeroShotTagger, load_vocabulary

        vocabulary = load_vocabulary(vocabulary_name)
        key = (vocabulary.name, vocabulary.tags, vocabulary.phrases, vocabulary.templates)
        cached = self._vocabularies.get(key)
        if cached is None:
            tagger = ZeroShotTagger(self.bundle, vocabulary, cache_dir=self.vocabulary_cache_dir)
            cached = self._vocabularies[key] = tagger.vocabulary_embedding()
        return cached


def clip_embedder_loader(model_name_or_path: str, params: Mapping[str, Any]) -> ClipEmbedder:
    """ModelExecutionManager loader; `model_name_or_path` is open_clip's `ARCH/pretrained`."""
    bundle = open_clip_loader(model_name_or_path, params)
    models_dir = params.get("models_dir")
    cache_dir = local_weights_dir(bundle.spec, Path(models_dir) if models_dir else None)
    return ClipEmbedder(bundle, vocabulary_cache_dir=cache_dir)
