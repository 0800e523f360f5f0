"""Zero-shot image tagging with an open_clip model against a tag vocabulary.

Each tag's text embedding is the mean over the vocabulary's prompt templates ("a photo of {}.")
and is computed once per loaded model. An image's tag scores are the softmax, over the whole
vocabulary, of the model's scaled cosine similarities: the confidences of one image sum to one,
so a threshold of 0.05 keeps tags clearly above the background of a few hundred alternatives.
Everything that touches torch runs on the model thread.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from dam_desktop.ml.open_clip_loader import OpenClipBundle, local_weights_dir, open_clip_loader
from dam_desktop.paths import resources_dir
from dam_desktop.utils.model_utils import oom_retry_batch_adjustment
from dam_desktop.utils.safe_paths import UnsafePathError, child

if TYPE_CHECKING:
    from dam_desktop.ml.embedding_tags import VocabularyEmbedding

log = logging.getLogger(__name__)

VOCABULARY_DIR = "tag_vocabulary"
DEFAULT_VOCABULARY = "default"
# Text prompts are encoded in chunks of this many; the text tower is small next to a vocabulary.
TEXT_BATCH = 256


@dataclass(frozen=True)
class TagVocabulary:
    name: str
    tags: tuple[str, ...]
    phrases: tuple[str, ...]  # what goes into the templates, one per tag
    templates: tuple[str, ...]

    def prompts_for(self, index: int) -> list[str]:
        return [template.format(self.phrases[index]) for template in self.templates]


def _read_tag_lines(path: Path) -> list[tuple[str, str]]:
    entries: list[tuple[str, str]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        tag, sep, phrase = line.partition("|")
        tag = " ".join(tag.strip().lower().split())
        entries.append((tag, phrase.strip() if sep and phrase.strip() else tag))
    return entries


def load_vocabulary(name: str = DEFAULT_VOCABULARY, folder: Path | None = None) -> TagVocabulary:
    """Read `<folder>/<name>.json` (templates and tag files) or a bare `<name>.txt` tag list."""
    folder = folder or resources_dir() / VOCABULARY_DIR
    manifest = folder / f"{name}.json"
    templates: list[str] = ["a photo of {}."]
    files: list[Path]
    if manifest.is_file():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        templates = [str(t) for t in data.get("templates", templates)]
        files = [folder / str(f) for f in data.get("files", [])]
    else:
        files = [folder / f"{name}.txt"]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise FileNotFoundError(f"tag vocabulary '{name}' is missing {', '.join(missing)}")
    seen: dict[str, str] = {}
    for path in files:
        for tag, phrase in _read_tag_lines(path):
            seen.setdefault(tag, phrase)
    if not seen:
        raise ValueError(f"tag vocabulary '{name}' has no tags")
    if any("{}" not in t for t in templates):
        raise ValueError(f"every template of vocabulary '{name}' needs a '{{}}' placeholder")
    return TagVocabulary(
        name=name, tags=tuple(seen), phrases=tuple(seen.values()), templates=tuple(templates)
    )


@dataclass(frozen=True)
class TagScore:
    tag: str
    confidence: float


def open_image_for_tagging(path: Path, target_size: int) -> Image.Image:
    """An image as RGB (transparency on white), its short side at most twice `target_size`.

    Decoded at a reduced size where the decoder can (JPEG's DCT scaling, Qt's scaling WebP
    reader), within the process's decode budget, and shrunk before any conversion: a full-size
    picture is never converted or copied. The model resizes it to `target_size` anyway; decoding
    each 16-megapixel original in full, in four copies, held 1.4 GB in the window."""
    from dam_desktop.utils.reduced_decode import decode_budget, decoded_bytes, load_reduced, prepare_reduced

    box = (target_size * 2, target_size * 2)
    with Image.open(path) as img:
        prepare_reduced(img, box)
        with decode_budget(decoded_bytes(img)):
            pixels = load_reduced(img, path, box)
            if pixels.mode == "P" or pixels.mode not in ("RGB", "RGBA", "L", "LA"):
                pixels = pixels.convert("RGBA" if pixels.mode == "P" else "RGB")
            short = min(pixels.size)
            if short > 2 * target_size:
                scale = 2 * target_size / short
                size = (max(1, round(pixels.width * scale)), max(1, round(pixels.height * scale)))
                pixels = pixels.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
            if pixels.mode in ("RGBA", "LA"):
                rgba = pixels.convert("RGBA")
                background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                return Image.alpha_composite(background, rgba).convert("RGB")
            return pixels.convert("RGB")  # a new image: `img` closes here


class ZeroShotTagger:
    """An open_clip model plus the embedded vocabulary. Create and use it on the model thread."""

    def __init__(
        self, bundle: OpenClipBundle, vocabulary: TagVocabulary, cache_dir: Path | None = None
    ) -> None:
        self.bundle = bundle
        self.vocabulary = vocabulary
        self.model_name = bundle.spec.name
        self._text_features = self._cached_vocabulary_features(cache_dir)
        self._vocabulary_embedding: VocabularyEmbedding | None = None

    def _vocabulary_cache_key(self) -> str | None:
        """Names the embedded vocabulary: the weights file (path, size, mtime) and every prompt."""
        weights = self.bundle.weights_path
        if weights is None:
            return None
        stat = weights.stat()
        digest = hashlib.sha256()
        for part in (
            self.model_name,
            str(weights.resolve()),
            str(stat.st_size),
            str(stat.st_mtime_ns),
            *self.vocabulary.templates,
            *(f"{t}|{p}" for t, p in zip(self.vocabulary.tags, self.vocabulary.phrases, strict=True)),
        ):
            digest.update(part.encode("utf-8") + b"\0")
        return digest.hexdigest()[:24]

    def _cache_file(self, cache_dir: Path, key: str) -> Path | None:
        """The cache file in `cache_dir`; None when the vocabulary's name would lead elsewhere."""
        try:
            return child(cache_dir, f"vocabulary-{self.vocabulary.name}-{key}.npy")
        except UnsafePathError as exc:
            log.warning("not caching the vocabulary embeddings: %s", exc)
            return None

    def _cached_vocabulary_features(self, cache_dir: Path | None) -> Any:
        """Text embeddings of the vocabulary, from `cache_dir` when an earlier load saved them.

        Embedding a few hundred tags times the templates takes minutes on a laptop CPU; the cache
        makes every later start of the tagger take a moment.
        """
        import numpy as np
        import torch  # noqa: TID251

        key = self._vocabulary_cache_key() if cache_dir is not None else None
        path = self._cache_file(cache_dir, key) if cache_dir and key else None
        if path is not None and path.is_file():
            try:
                cached = np.load(path)
                if cached.shape[0] == len(self.vocabulary.tags):
                    return torch.from_numpy(cached).to(self.bundle.device)
            except (OSError, ValueError) as exc:
                log.warning("ignoring unreadable vocabulary cache %s: %s", path, exc)
        features = self._encode_vocabulary()
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_suffix(".partial.npy")
                partial.unlink(missing_ok=True)  # a link left there must be replaced, not written through
                np.save(partial, features.float().cpu().numpy())
                partial.replace(path)
            except OSError as exc:
                log.warning("cannot cache the vocabulary embeddings in %s: %s", path.parent, exc)
        return features

    def _encode_vocabulary(self) -> Any:
        import torch  # noqa: TID251

        model = self.bundle.model
        prompts: list[str] = []
        for index in range(len(self.vocabulary.tags)):
            prompts.extend(self.vocabulary.prompts_for(index))
        chunks = []
        with torch.inference_mode():
            for start in range(0, len(prompts), TEXT_BATCH):
                tokens = self.bundle.tokenizer(prompts[start : start + TEXT_BATCH]).to(self.bundle.device)
                features = model.encode_text(tokens)
                chunks.append(features / features.norm(dim=-1, keepdim=True))
            per_prompt = torch.cat(chunks)
            per_tag = per_prompt.reshape(len(self.vocabulary.tags), len(self.vocabulary.templates), -1).mean(
                1
            )
            per_tag = per_tag / per_tag.norm(dim=-1, keepdim=True)
        return per_tag

    def vocabulary_embedding(self) -> VocabularyEmbedding:
        """The embedded vocabulary as numpy, for tagging stored image embeddings (no vision pass)."""
        from dam_desktop.ml.embedding_tags import VocabularyEmbedding

        if self._vocabulary_embedding is None:
            self._vocabulary_embedding = VocabularyEmbedding(
                model_name=self.model_name,
                tags=self.vocabulary.tags,
                matrix=self._text_features.float().cpu().numpy().astype("float32"),
                logit_scale=float(self.bundle.model.logit_scale.exp().item()),
            )
        return self._vocabulary_embedding

    def preprocess(self, image: Image.Image) -> Any:
        return self.bundle.preprocess(image)

    @oom_retry_batch_adjustment(max_retries=4)
    def score_images(self, images: Sequence[Image.Image], *, batch_size: int) -> Any:
        """Softmax tag probabilities, one row per image (a CPU tensor of shape images x tags)."""
        import torch  # noqa: TID251

        model = self.bundle.model
        rows = []
        with torch.inference_mode():
            scale = model.logit_scale.exp()
            for start in range(0, len(images), batch_size):
                pixels = torch.stack([self.preprocess(img) for img in images[start : start + batch_size]])
                features = model.encode_image(pixels.to(self.bundle.device))
                features = features / features.norm(dim=-1, keepdim=True)
                logits = scale * features @ self._text_features.T
                rows.append(logits.softmax(dim=-1).float().cpu())
        if not rows:
            return torch.empty((0, len(self.vocabulary.tags)))
        return torch.cat(rows)

    def tag_images(
        self, images: Sequence[Image.Image], *, batch_size: int, threshold: float, max_tags: int
    ) -> list[list[TagScore]]:
        """The best tags per image: at most `max_tags`, each at least `threshold` confident."""
        import torch  # noqa: TID251

        if not images:
            return []
        probabilities = self.score_images(images, batch_size=batch_size)
        k = min(max_tags, probabilities.shape[1])
        values, indices = torch.topk(probabilities, k=k, dim=1)
        results: list[list[TagScore]] = []
        for row_values, row_indices in zip(values.tolist(), indices.tolist(), strict=True):
            results.append(
                [
                    TagScore(self.vocabulary.tags[i], round(float(v), 6))
                    for v, i in zip(row_values, row_indices, strict=True)
                    if v >= threshold
                ]
            )
        return results

    def tag_files(
        self, paths: Sequence[Path], *, batch_size: int, threshold: float, max_tags: int
    ) -> list[list[TagScore] | str]:
        """Tag image files; an entry is the tags, or why that file could not be read."""
        images: list[Image.Image] = []
        slots: list[int] = []
        results: list[list[TagScore] | str] = []
        for path in paths:
            try:
                images.append(open_image_for_tagging(path, self.bundle.image_size))
                slots.append(len(results))
                results.append([])
            except (OSError, ValueError, Image.DecompressionBombError) as exc:
                results.append(f"cannot read image {path.name}: {exc}")
        tagged = self.tag_images(images, batch_size=batch_size, threshold=threshold, max_tags=max_tags)
        for slot, tags in zip(slots, tagged, strict=True):
            results[slot] = tags
        return results


def zero_shot_tagger_loader(model_name_or_path: str, params: Mapping[str, Any]) -> ZeroShotTagger:
    """ModelExecutionManager loader: the open_clip model (see `open_clip_loader`) plus `vocabulary`."""
    bundle = open_clip_loader(model_name_or_path, params)
    models_dir = params.get("models_dir")
    cache_dir = local_weights_dir(bundle.spec, Path(models_dir) if models_dir else None)
    vocabulary = load_vocabulary(str(params.get("vocabulary", DEFAULT_VOCABULARY)))
    return ZeroShotTagger(bundle, vocabulary, cache_dir=cache_dir)
