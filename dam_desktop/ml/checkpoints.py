"""Reading an open_clip checkpoint safely, and saying in words why one does not fit.

Accepted forms: `.safetensors`; the hub's `open_clip_pytorch_model.bin`; a training `.pt` whose
tensors sit under `state_dict` with DistributedDataParallel's `module.` prefix. Pickled files are
always read with `weights_only=True`, so a file that carries code is refused, never run. Every
refusal is an `InvalidWeightsError` whose message names the file as the user picked it (`shown`),
not the temporary copy being checked.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from dam_desktop.core.errors import DamError

VISUAL_PATCH_KEY = "visual.conv1.weight"
VISUAL_POSITIONS_KEY = "visual.positional_embedding"
TEXT_PROJECTION_KEY = "text_projection"
_BLOCK = re.compile(r"^visual\.transformer\.resblocks\.(\d+)\.")
T = TypeVar("T")


class InvalidWeightsError(DamError):
    """A weights file that does not fit the chosen model; the message is for people."""


@dataclass(frozen=True)
class TowerShape:
    """What a ViT image tower's weights say about its architecture."""

    patch: int
    width: int
    layers: int
    grid: int  # positions, the class token included
    embed_dim: int

    def words(self) -> str:
        return f"patch {self.patch}, width {self.width}, {self.layers} layers, {self.embed_dim}-d embeddings"


def read_state_dict(path: Path, shown: str) -> dict[str, Any]:
    """The tensors in `path`, unwrapped (`state_dict`, `module.`); refusals name `shown`."""
    if path.suffix.lower() == ".safetensors":
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            tensors: Mapping[str, Any] = load_file(str(path), device="cpu")
        except (SafetensorError, OSError, ValueError) as exc:
            reason = _first_line(exc)
            raise InvalidWeightsError(f"{shown} is not a readable .safetensors file ({reason})") from exc
    else:
        import torch  # noqa: TID251

        try:
            loaded = torch.load(str(path), map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as exc:
            raise InvalidWeightsError(
                f"{shown} holds Python objects besides weights, which could run code when opened, so it "
                "was not loaded; use the model's .safetensors or open_clip .bin file instead"
            ) from exc
        except (RuntimeError, OSError, EOFError, ValueError) as exc:
            raise InvalidWeightsError(f"{shown} is not a PyTorch weights file ({_first_line(exc)})") from exc
        tensors = _unwrap(loaded, shown)
    return _strip_module_prefix(dict(tensors))


@dataclass(frozen=True)
class TensorShape:
    """A tensor's shape, read from a .safetensors header without loading the tensor."""

    shape: tuple[int, ...]


def safetensors_shapes(path: Path, shown: str) -> dict[str, TensorShape]:
    """The tensors' names and shapes in a .safetensors file (its header only)."""
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            shapes = {key: TensorShape(tuple(handle.get_slice(key).get_shape())) for key in handle.keys()}  # noqa: SIM118
    except (SafetensorError, OSError, ValueError) as exc:
        raise InvalidWeightsError(
            f"{shown} is not a readable .safetensors file ({_first_line(exc)})"
        ) from exc
    return _strip_module_prefix(shapes)


# safetensors' dtype names -> torch's (the ones open_clip checkpoints use).
_SAFETENSORS_DTYPES = {
    "F32": "float32",
    "F16": "float16",
    "BF16": "bfloat16",
    "F64": "float64",
    "I64": "int64",
}


def stream_safetensors_into(model: Any, path: Path, shown: str, architecture: str) -> None:
    """Copy a .safetensors file's tensors into `model`'s, one at a time, as `load_state_dict(strict)`
    would: every name must match, and every shape.

    Each tensor is read with plain reads into a buffer of its own size, then copied: reading the
    whole file first (or mapping it, as safetensors does) held the weights twice while they loaded,
    the built model's and the file's (ViT-B-32: 1.15 GB at the peak for 605 MB of weights)."""
    import json
    import struct

    import torch  # noqa: TID251

    targets = model.state_dict()
    with path.open("rb") as handle:
        (header_size,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(header_size))
        header.pop("__metadata__", None)
        prefixed = bool(header) and all(key.startswith("module.") for key in header)
        names = {key.removeprefix("module.") if prefixed else key: key for key in header}
        missing, unexpected = sorted(set(targets) - set(names)), sorted(set(names) - set(targets))
        if missing or unexpected:
            raise InvalidWeightsError(
                f"{shown} does not fit {architecture}: missing {', '.join(missing[:3]) or 'nothing'}, "
                f"unexpected {', '.join(unexpected[:3]) or 'nothing'}"
            )
        data_start = 8 + header_size
        with torch.no_grad():
            for name, key in names.items():
                info, target = header[key], targets[name]
                shape = tuple(info["shape"])
                dtype = _SAFETENSORS_DTYPES.get(info["dtype"])
                if dtype is None or shape != tuple(target.shape):
                    raise InvalidWeightsError(
                        f"{shown} does not fit {architecture}: {name} is {info['dtype']} {shape} in the "
                        f"file, {tuple(target.shape)} in the model"
                    )
                begin, stop = info["data_offsets"]
                handle.seek(data_start + begin)
                raw = bytearray(stop - begin)
                if handle.readinto(raw) != len(raw):
                    raise InvalidWeightsError(f"{shown} is cut short (at {name})")
                if raw:
                    target.copy_(torch.frombuffer(raw, dtype=getattr(torch, dtype)).reshape(shape))
                del raw


def _unwrap(loaded: Any, shown: str) -> Mapping[str, Any]:
    if isinstance(loaded, Mapping) and isinstance(loaded.get("state_dict"), Mapping):
        return loaded["state_dict"]  # type: ignore[no-any-return]
    if isinstance(loaded, Mapping):
        return loaded
    raise InvalidWeightsError(f"{shown} holds a {type(loaded).__name__}, not a table of weights")


def _strip_module_prefix(tensors: dict[str, T]) -> dict[str, T]:
    if tensors and all(key.startswith("module.") for key in tensors):
        return {key.removeprefix("module."): value for key, value in tensors.items()}
    return tensors


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def tower_shape_of_weights(tensors: Mapping[str, Any]) -> TowerShape | None:
    """The image tower's shape as the tensors give it; None when they hold no ViT image tower."""
    patch = tensors.get(VISUAL_PATCH_KEY)
    positions = tensors.get(VISUAL_POSITIONS_KEY)
    projection = tensors.get(TEXT_PROJECTION_KEY)
    if patch is None or positions is None:
        return None
    layers = {int(m.group(1)) for key in tensors if (m := _BLOCK.match(key))}
    return TowerShape(
        patch=int(patch.shape[-1]),
        width=int(patch.shape[0]),
        layers=len(layers),
        grid=int(positions.shape[0]),
        embed_dim=int(projection.shape[-1]) if projection is not None else 0,
    )


def tower_shape_of_config(config: Mapping[str, Any]) -> TowerShape | None:
    """The same shape from an open_clip model config (`embed_dim`, `vision_cfg`); None for non-ViTs."""
    vision = config.get("vision_cfg", {})
    patch = vision.get("patch_size")
    if not patch or not isinstance(vision.get("layers"), int):
        return None
    size = vision.get("image_size", 224)
    side = int(size[0] if isinstance(size, list | tuple) else size) // int(patch)
    return TowerShape(
        patch=int(patch),
        width=int(vision.get("width", 768)),
        layers=int(vision["layers"]),
        grid=side * side + 1,
        embed_dim=int(config.get("embed_dim", 0)),
    )


def mismatch_message(
    shown: str,
    chosen: str,
    found: TowerShape | None,
    wanted: TowerShape | None,
    known: Mapping[str, TowerShape],
) -> str:
    """One sentence: what the file holds against what was chosen."""
    if found is None:
        return f"{shown} holds no open_clip image-tower weights, so it cannot be used for {chosen}"
    for name, shape in known.items():
        if shape == found and name != chosen:
            return f"{shown} holds {name} weights, but {chosen} was chosen"
    if wanted is not None:
        return (
            f"{shown} does not fit {chosen}: its image tower has {found.words()}; "
            f"{chosen} has {wanted.words()}"
        )
    return f"{shown} does not fit {chosen} (its image tower has {found.words()})"
