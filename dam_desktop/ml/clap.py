"""CLAP (transformers' `ClapModel`): audio and text in one space, for text→audio search.

Weights come from a folder the user imported (`<models>/clap/<repo name>/`) or the Hugging Face
cache; there is no download here. Without them `load_clap` raises `WeightsMissingError`, like the
other models, and audio similarity keeps working with the weights-free log-mel embedding.
Runs on the model thread.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from dam_desktop.ml.audio_features import DecodedAudio
from dam_desktop.ml.open_clip_loader import WeightsMissingError, default_models_dir

log = logging.getLogger(__name__)

DEFAULT_REPO = "laion/clap-htsat-unfused"
CLAP_SUBDIR = "clap"
SAMPLE_RATE = 48000
MAX_SECONDS = 10.0


def local_clap_dir(repo: str, models_dir: Path | None = None) -> Path:
    return (models_dir or default_models_dir()) / CLAP_SUBDIR / repo.replace("/", "__")


def find_clap_weights(repo: str = DEFAULT_REPO, models_dir: Path | None = None) -> Path | None:
    """A folder holding config.json and the weights, from the models folder or the HF cache."""
    local = local_clap_dir(repo, models_dir)
    if (local / "config.json").is_file():
        return local
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None
    found = try_to_load_from_cache(repo, "config.json")
    if isinstance(found, str) and Path(found).is_file():
        folder = Path(found).parent
        if any((folder / name).is_file() for name in ("model.safetensors", "pytorch_model.bin")):
            return folder
    return None


def resample(
    samples: npt.NDArray[np.float32], rate: int, target: int = SAMPLE_RATE
) -> npt.NDArray[np.float32]:
    if rate == target or samples.shape[0] == 0:
        return samples
    n_out = round(samples.shape[0] * target / rate)
    positions = np.arange(n_out) * (rate / target)
    return np.interp(positions, np.arange(samples.shape[0]), samples).astype(np.float32)


@dataclass
class ClapEmbedder:
    model: Any
    processor: Any
    device: str

    def encode_audio(self, clips: Sequence[DecodedAudio]) -> npt.NDArray[np.float32]:
        import torch  # noqa: TID251

        waves = [resample(c.samples[: int(MAX_SECONDS * c.sample_rate)], c.sample_rate) for c in clips]
        inputs = self.processor(audio=waves, sampling_rate=SAMPLE_RATE, return_tensors="pt").to(self.device)
        with torch.inference_mode():
            features = self.model.get_audio_features(**inputs)
        features = getattr(features, "pooler_output", features)
        return torch.nn.functional.normalize(features.float(), dim=-1).cpu().numpy().astype(np.float32)

    def encode_audio_files(
        self, paths: Sequence[Path]
    ) -> tuple[list[npt.NDArray[np.float32] | None], list[str]]:
        """One vector per file (None where it cannot be decoded) and why not ("" where it could).

        The files are decoded here, beside the model (in the window's model worker), so the
        samples never cross the pipe or enter the window's memory."""
        from dam_desktop.ml.audio_features import each_file, load_audio

        clips, errors = each_file(lambda path: load_audio(path, MAX_SECONDS), paths)
        readable = [c for c in clips if c is not None]
        encoded = self.encode_audio(readable) if readable else np.zeros((0, 0), np.float32)
        rows = iter(encoded)
        return [next(rows) if c is not None else None for c in clips], errors

    def encode_texts(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        import torch  # noqa: TID251

        inputs = self.processor(text=list(texts), padding=True, return_tensors="pt").to(self.device)
        with torch.inference_mode():
            features = self.model.get_text_features(**inputs)
        features = getattr(features, "pooler_output", features)
        return torch.nn.functional.normalize(features.float(), dim=-1).cpu().numpy().astype(np.float32)


def load_clap(repo: str = DEFAULT_REPO, device: str = "cpu", models_dir: Path | None = None) -> ClapEmbedder:
    folder = find_clap_weights(repo, models_dir)
    if folder is None:
        error = WeightsMissingError(
            repo, [str(local_clap_dir(repo, models_dir)), f"Hugging Face cache ({repo})"]
        )
        error.user_message = (
            f"The weights for the CLAP model {repo} are not on this computer, so sounds cannot be "
            "found by a description yet; finding similar sounds works without them. Put the model's "
            f"files (config.json, model.safetensors, tokenizer files) in {local_clap_dir(repo, models_dir)}."
        )
        error.args = (error.user_message,)
        raise error
    from transformers import ClapModel, ClapProcessor

    from dam_desktop.ml.model_thread import get_model_thread

    get_model_thread().configure_torch()
    log.info("loading CLAP from %s on %s", folder, device)
    model = ClapModel.from_pretrained(str(folder), local_files_only=True).to(device)  # type: ignore[arg-type]
    model.eval()
    processor = ClapProcessor.from_pretrained(str(folder), local_files_only=True)
    return ClapEmbedder(model=model, processor=processor, device=device)


def clap_loader(model_name_or_path: str, params: Mapping[str, Any]) -> ClapEmbedder:
    """ModelExecutionManager loader: a HF repo name (looked up offline) or a folder path."""
    models_dir = params.get("models_dir")
    path = Path(model_name_or_path)
    if path.is_dir():
        return load_clap_folder(path, str(params.get("device", "cpu")))
    return load_clap(
        model_name_or_path, str(params.get("device", "cpu")), Path(models_dir) if models_dir else None
    )


def load_clap_folder(folder: Path, device: str = "cpu") -> ClapEmbedder:
    from transformers import ClapModel, ClapProcessor

    model = ClapModel.from_pretrained(str(folder), local_files_only=True).to(device)  # type: ignore[arg-type]
    model.eval()
    return ClapEmbedder(model, ClapProcessor.from_pretrained(str(folder), local_files_only=True), device)


CLAP_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def import_clap_folder(repo: str, source: Path, models_dir: Path | None = None) -> Path:
    """Check a CLAP model folder (config.json, weights, tokenizer files as on the hub) and copy it in.

    `source` is the folder or any file in it. The copy goes to a temporary folder, is loaded as a
    ClapModel there (transformers reads .bin files with weights_only), and is renamed into place only
    when every weight fits; a refusal names `source`.
    """
    import shutil
    import uuid

    from dam_desktop.ml.checkpoints import InvalidWeightsError

    folder = source if source.is_dir() else source.parent
    shown = str(source)
    if not (folder / "config.json").is_file() or not any((folder / n).is_file() for n in CLAP_WEIGHT_FILES):
        raise InvalidWeightsError(
            f"{shown} is not a CLAP model folder: it needs config.json and model.safetensors "
            "(or pytorch_model.bin) beside the tokenizer files, as on the hub"
        )
    target = local_clap_dir(repo, models_dir)
    staging = target.parent / f".import-{uuid.uuid4().hex}"
    staging.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copytree(folder, staging, ignore=shutil.ignore_patterns(".*"))
        _check_clap_folder(staging, shown)
        if target.exists():
            shutil.rmtree(target)
        staging.replace(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target


def _check_clap_folder(folder: Path, shown: str) -> None:
    from transformers import ClapModel

    from dam_desktop.ml.checkpoints import InvalidWeightsError

    try:
        loaded: Any = ClapModel.from_pretrained(str(folder), local_files_only=True, output_loading_info=True)
        info: dict[str, Any] = loaded[1]
    except (OSError, ValueError, RuntimeError) as exc:
        reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise InvalidWeightsError(
            f"{shown} does not hold CLAP weights that fit its config.json ({reason})"
        ) from exc
    missing = list(info.get("missing_keys", ())) + list(info.get("mismatched_keys", ()))
    if missing:
        raise InvalidWeightsError(
            f"{shown} does not hold a whole CLAP model: {len(missing)} weights are missing or of the wrong "
            f"shape (first: {missing[0]})"
        )
