"""Zero-shot tags from stored image embeddings: no image is decoded and no vision model runs.

An image's CLIP embedding (stored once, for search and "find similar") and the vocabulary's text
embeddings live in one space, so a tag's score is the softmax, over the vocabulary, of the model's
scaled cosines, exactly what `ZeroShotTagger.score_images` computes after its vision pass. Here it
is a float32 matrix product in numpy: re-tagging a library after a vocabulary or threshold change
costs milliseconds per thousand images (benchmarks/tagging_bench.py) instead of a vision pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dam_desktop.ml.zero_shot_tagger import TagScore

# Rows scored at a time: a 8192 x 400 logits block is 13 MB, small next to the embeddings.
SCORE_CHUNK = 8192


@dataclass(frozen=True)
class VocabularyEmbedding:
    """A vocabulary embedded by one model: unit text vectors (tags x dims) and its logit scale."""

    model_name: str
    tags: tuple[str, ...]
    matrix: npt.NDArray[np.float32]
    logit_scale: float


def tags_from_embeddings(
    vectors: npt.NDArray[np.float32], vocabulary: VocabularyEmbedding, *, threshold: float, max_tags: int
) -> list[list[TagScore]]:
    """The best tags per unit image vector: at most `max_tags`, each at least `threshold` likely."""
    results: list[list[TagScore]] = []
    if vectors.shape[0] == 0:
        return results
    k = min(max_tags, len(vocabulary.tags))
    for start in range(0, vectors.shape[0], SCORE_CHUNK):
        logits = vocabulary.logit_scale * (vectors[start : start + SCORE_CHUNK] @ vocabulary.matrix.T)
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        top = np.argpartition(-probabilities, k - 1, axis=1)[:, :k]
        for row, candidates in zip(probabilities, top, strict=True):
            ranked = candidates[np.argsort(-row[candidates], kind="stable")]
            results.append(
                [TagScore(vocabulary.tags[i], round(float(row[i]), 6)) for i in ranked if row[i] >= threshold]
            )
    return results
