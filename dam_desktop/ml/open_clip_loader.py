"""open_clip models: where their weights are found, how a weights file is imported, and loading.

A model is named `ARCHITECTURE/PRETRAINED_TAG`, e.g. `ViT-B-32/laion2b_s34b_b79k`. Its weights are
looked for, in order:

1. the app's model folder: `<models dir>/open_clip/<ARCHITECTURE>__<TAG>/` — where "Import weights
   file…" copies a file the user picked (`$DAM_DESKTOP_MODELS_DIR` overrides the models dir);
2. the Hugging Face cache (`~/.cache/huggingface/hub`, or `$HF_HOME`), where open_clip and
   huggingface_hub put downloads;
3. a download from the Hugging Face hub, only when asked for (`allow_download`) and not offline.

When none has them, `WeightsMissingError` says so in words for people. Nothing here imports torch
or open_clip at module level.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dam_desktop.core.errors import DamError
from dam_desktop.ml.checkpoints import (
    InvalidWeightsError,
    TowerShape,
    mismatch_message,
    read_state_dict,
    safetensors_shapes,
    stream_safetensors_into,
    tower_shape_of_config,
    tower_shape_of_weights,
)
from dam_desktop.utils.safe_paths import inside

__all__ = ["InvalidWeightsError", "OpenClipBundle", "OpenClipSpec", "WeightsMissingError"]

log = logging.getLogger(__name__)

MODELS_DIR_ENV_VAR = "DAM_DESKTOP_MODELS_DIR"
OPEN_CLIP_SUBDIR = "open_clip"
WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")
HF_WEIGHT_FILENAMES = ("open_clip_model.safetensors", "open_clip_pytorch_model.bin")


class WeightsMissingError(DamError):
    """The model's weights are nowhere on this computer. `user_message` is what the UI shows."""

    def __init__(self, model_name: str, searched: list[str], hint: str = "") -> None:
        self.model_name = model_name
        self.searched = searched
        self.hint = hint
        self.user_message = (
            f"The weights for the model {model_name} are not on this computer, so it cannot tag "
            "images yet. Choose “Import weights file…” to use a weights file you have "
            "(open_clip .safetensors, .bin or .pt for this model), or download them when online."
        )
        if hint:
            self.user_message += f" {hint}"
        super().__init__(f"{self.user_message} Looked in: {'; '.join(searched)}")

    def __reduce__(self) -> tuple[type[WeightsMissingError], tuple[str, list[str], str]]:
        # It crosses the model worker's pipe; the default would call __init__ with the message alone.
        return (type(self), (self.model_name, self.searched, self.hint))


@dataclass(frozen=True)
class OpenClipSpec:
    architecture: str
    pretrained: str
    # The Hugging Face repo ("org/name/" or "org/name/file"); open_clip's own table when None. Giving
    # it lets the app check the cache without importing torch.
    hf_hub: str | None = None

    @classmethod
    def parse(cls, model_name: str, hf_hub: str | None = None) -> OpenClipSpec:
        architecture, sep, pretrained = model_name.partition("/")
        if not sep or not architecture or not pretrained:
            raise ValueError(
                f"open_clip model names look like 'ViT-B-32/laion2b_s34b_b79k', not '{model_name}'"
            )
        return cls(architecture, pretrained, hf_hub)

    @property
    def name(self) -> str:
        return f"{self.architecture}/{self.pretrained}"

    @property
    def folder_name(self) -> str:
        return f"{self.architecture}__{self.pretrained}".replace("/", "-")


def default_models_dir() -> Path:
    """`$DAM_DESKTOP_MODELS_DIR`, else the app's one models folder (see `settings.models_dir`)."""
    override = os.environ.get(MODELS_DIR_ENV_VAR)
    if override:
        return Path(override).expanduser()
    from dam_desktop.settings import models_dir

    return models_dir()


def local_weights_dir(spec: OpenClipSpec, models_dir: Path | None = None) -> Path:
    return (models_dir or default_models_dir()) / OPEN_CLIP_SUBDIR / spec.folder_name


def _pretrained_cfg(spec: OpenClipSpec) -> dict[str, Any]:
    from open_clip.pretrained import get_pretrained_cfg

    cfg = get_pretrained_cfg(spec.architecture, spec.pretrained)
    return dict(cfg) if cfg else {}


def _catalogue_hf_hub(spec: OpenClipSpec) -> str | None:
    from dam_desktop.ml.catalogue import entry_for_open_clip

    entry = entry_for_open_clip(spec.name)
    return entry.hf_hub if entry is not None and entry.hf_repo else None


def _hf_repo(spec: OpenClipSpec) -> tuple[str, list[str]] | None:
    hub = spec.hf_hub if spec.hf_hub is not None else _catalogue_hf_hub(spec)
    if hub is None:
        hub = _pretrained_cfg(spec).get("hf_hub", "")
    if not hub:
        return None
    repo_id, filename = os.path.split(hub.rstrip("/")) if not hub.endswith("/") else (hub.rstrip("/"), "")
    return repo_id, [filename] if filename else list(HF_WEIGHT_FILENAMES)


def find_local_weights(spec: OpenClipSpec, models_dir: Path | None = None) -> Path | None:
    folder = local_weights_dir(spec, models_dir)
    if not folder.is_dir():
        return None
    # A dot name is an import still being checked (`.import-<uuid>`), never weights to load.
    files = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix in WEIGHT_SUFFIXES and not p.name.startswith(".")
    )
    files.sort(key=lambda p: p.suffix != ".safetensors")
    return files[0] if files else None


def find_cached_weights(spec: OpenClipSpec) -> Path | None:
    """The weights file in the Hugging Face cache, without touching the network."""
    from dam_desktop.ml.hub_download import cached_file

    repo = _hf_repo(spec)
    if repo is None:
        return None
    repo_id, filenames = repo
    for filename in filenames:
        found = cached_file(repo_id, filename)
        if found is not None:
            return found
    return None


def find_weights(spec: OpenClipSpec, models_dir: Path | None = None) -> Path | None:
    return find_local_weights(spec, models_dir) or find_cached_weights(spec)


def describe_search(spec: OpenClipSpec, models_dir: Path | None = None) -> list[str]:
    places = [str(local_weights_dir(spec, models_dir))]
    repo = _hf_repo(spec)
    if repo is not None:
        places.append(f"Hugging Face cache ({repo[0]})")
    return places


def is_offline() -> bool:
    from dam_desktop.settings import downloads_turned_off

    return downloads_turned_off()


@dataclass
class OpenClipBundle:
    """A loaded open_clip model with what is needed to use it. Lives on the model thread."""

    spec: OpenClipSpec
    model: Any  # open_clip.CLIP, in eval mode, on `device`
    preprocess: Callable[[Any], Any]  # PIL image -> tensor
    tokenizer: Callable[[list[str]], Any]
    device: str
    weights_path: Path | None
    image_size: int


def register_catalogue_configs() -> None:
    """Tell open_clip about architectures that catalogue entries bring as config files."""
    import open_clip

    from dam_desktop.ml.catalogue import catalogue

    for entry in catalogue():
        if entry.open_clip_config is not None and entry.architecture not in open_clip.list_models():
            open_clip.add_model_config(entry.open_clip_config)


def _known_tower_shapes() -> dict[str, TowerShape]:
    """Image-tower shapes of the catalogue's architectures, for naming what a wrong file holds."""
    from open_clip import get_model_config

    from dam_desktop.ml.catalogue import FAMILY_OPEN_CLIP, catalogue

    shapes: dict[str, TowerShape] = {}
    for entry in catalogue():
        config = get_model_config(entry.architecture) if entry.family == FAMILY_OPEN_CLIP else None
        shape = tower_shape_of_config(config) if config else None
        if shape is not None:
            shapes.setdefault(entry.architecture, shape)
    return shapes


def load_weights_into(model: Any, spec: OpenClipSpec, weights: Path, shown: str) -> None:
    """Load a checkpoint into a freshly built model; any misfit becomes one InvalidWeightsError."""
    from open_clip import get_model_config

    streamed = weights.suffix.lower() == ".safetensors"
    tensors: Mapping[str, Any] = (
        safetensors_shapes(weights, shown) if streamed else read_state_dict(weights, shown)
    )
    config = get_model_config(spec.architecture)
    wanted = tower_shape_of_config(config) if config else None
    found = tower_shape_of_weights(tensors)
    if found is None or (wanted is not None and found != wanted):
        raise InvalidWeightsError(
            mismatch_message(shown, spec.architecture, found, wanted, _known_tower_shapes())
        )
    if streamed:
        stream_safetensors_into(model, weights, shown, spec.architecture)
        return
    try:
        model.load_state_dict(tensors, strict=True)
    except RuntimeError as exc:
        raise InvalidWeightsError(
            f"{shown} does not fit {spec.architecture}: {str(exc).splitlines()[0][:200]}"
        ) from exc


def build_model(
    spec: OpenClipSpec, weights: Path | None, device: str = "cpu", *, shown: str | None = None
) -> OpenClipBundle:
    """Build the architecture and load `weights` into it (random weights when `weights` is None).

    The weights are read by `checkpoints.read_state_dict` (weights_only=True for pickles) rather
    than by open_clip, so a refusal names the user's file (`shown`) and what it actually holds.
    """
    import open_clip

    from dam_desktop.ml.model_thread import get_model_thread

    get_model_thread().configure_torch()
    register_catalogue_configs()
    cfg = _pretrained_cfg(spec)
    preprocess_overrides: dict[str, Any] = {}
    for key, option in (
        ("mean", "image_mean"),
        ("std", "image_std"),
        ("interpolation", "image_interpolation"),
        ("resize_mode", "image_resize_mode"),
    ):
        if key in cfg:
            preprocess_overrides[option] = cfg[key]
    model, _, preprocess = open_clip.create_model_and_transforms(
        spec.architecture, pretrained=None, device="cpu", **preprocess_overrides
    )
    if weights is not None:
        load_weights_into(model, spec, weights, shown or str(weights))
    model = model.to(device)
    model.eval()
    image_size = model.visual.image_size
    size = int(image_size[0] if isinstance(image_size, tuple | list) else image_size)
    return OpenClipBundle(
        spec=spec,
        model=model,
        preprocess=preprocess,
        tokenizer=open_clip.get_tokenizer(spec.architecture),
        device=device,
        weights_path=weights,
        image_size=size,
    )


def load_open_clip(
    spec: OpenClipSpec,
    device: str = "cpu",
    *,
    allow_download: bool = False,
    models_dir: Path | None = None,
) -> OpenClipBundle:
    """Find the weights (model folder, then HF cache, then a download if allowed) and build the model."""
    weights = find_weights(spec, models_dir)
    if weights is None and allow_download:
        from dam_desktop.ml.hub_download import download_open_clip_weights

        weights = download_open_clip_weights(spec)
    if weights is None:
        raise WeightsMissingError(spec.name, describe_search(spec, models_dir))
    log.info("loading open_clip %s from %s on %s", spec.name, weights, device)
    return build_model(spec, weights, device)


def open_clip_loader(model_name_or_path: str, params: Mapping[str, Any]) -> OpenClipBundle:
    """ModelExecutionManager loader: params `device`, `allow_download`, `models_dir`, `hf_hub`."""
    models_dir = params.get("models_dir")
    hf_hub = params.get("hf_hub")
    return load_open_clip(
        OpenClipSpec.parse(model_name_or_path, str(hf_hub) if hf_hub is not None else None),
        str(params.get("device", "cpu")),
        allow_download=bool(params.get("allow_download", False)),
        models_dir=Path(models_dir) if models_dir else None,
    )


_import_lock = threading.Lock()


def import_weights_file(spec: OpenClipSpec, source: Path, models_dir: Path | None = None) -> Path:
    """Check that `source` holds weights for the model and copy it into the model folder.

    The copy is written under a temporary name and renamed once the model has been built from it,
    so a bad or half-copied file never sits where the loader looks. Every refusal names `source`,
    never the temporary copy. Returns the installed path.
    """
    source = Path(source)
    shown = str(source)
    if not source.is_file():
        raise InvalidWeightsError(f"{shown} is not a file")
    if source.suffix.lower() not in WEIGHT_SUFFIXES:
        raise InvalidWeightsError(f"{shown} is not a weights file (expected {', '.join(WEIGHT_SUFFIXES)})")
    base = models_dir or default_models_dir()
    # The model's folder is named after the catalogue's model name: it must stay in the models
    # folder, and a link put in its place must not send the copy (or the removal of old weights)
    # elsewhere.
    folder = inside(base, f"{OPEN_CLIP_SUBDIR}/{spec.folder_name}")
    folder.mkdir(parents=True, exist_ok=True)
    suffix = source.suffix.lower()
    partial = folder / f".import-{uuid.uuid4().hex}{suffix}"
    final = folder / f"open_clip_weights{suffix}"
    with _import_lock:
        try:
            shutil.copyfile(source, partial)
            with partial.open("rb") as fh:
                os.fsync(fh.fileno())
            build_model(spec, partial, "cpu", shown=shown)
            for old in folder.iterdir():
                stale = old.suffix in WEIGHT_SUFFIXES and old != partial
                if stale and old.is_file() and not old.is_symlink():
                    old.unlink()
            partial.replace(final)
        finally:
            partial.unlink(missing_ok=True)
    return final
