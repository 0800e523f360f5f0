"""ModelExecutionManager (spec §4): loads, caches and places machine-learning models.

One per world, as a resource. It knows nothing about particular models: services register a
synchronous loader per `model_identifier` and ask for models by name and parameters. Loaders and
inference run on the runner handed in at construction (the CLI passes the model thread, so one
thread owns every torch model); awaiting them never blocks the caller's loop. Given a `ModelHost`
instead (the window's: `dam_desktop.ml.worker_client`), models live in a worker process and the
manager hands out `RemoteModel` handles whose methods `run` sends there (see `model_host`).

torch is imported only inside methods: creating a manager, and opening a world, stays cheap.
"""

from __future__ import annotations

import asyncio
import logging
import os
import platform
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, ParamSpec, Protocol, TypeVar

from dam_desktop.core.model_host import ModelHost, RemoteModel

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")

ModelLoader = Callable[[str, Mapping[str, Any]], Any]
"""A synchronous loader: `(model_name_or_path, params) -> model`. It runs on the model thread."""

BatchSizer = Callable[["ModelExecutionManager", str, float, int], int]
"""`(manager, model_name_or_path, item_size_estimate_mb, fallback_batch_size) -> batch size`."""

DEVICE_ENV_VAR = "DAM_DESKTOP_DEVICE"
"""Set to `cpu`, `cuda` or `mps` to override the automatic device choice."""

MAX_BATCH_SIZE = 256
# Share of free VRAM the heuristic leaves for weights, activations of the model itself and other
# processes; the rest is divided among batch items.
VRAM_RESERVE_FRACTION = 0.3
# MPS shares system RAM with everything else; the heuristic only counts on this share of it.
MPS_RAM_FRACTION = 0.25
MIB = 1024 * 1024


class SyncRunner(Protocol):
    """Runs a synchronous function somewhere else and lets the caller await it (the model thread)."""

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T: ...


class ThreadRunner:
    """Fallback runner: the default asyncio executor (spec §4.2). The app uses the model thread."""

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await asyncio.to_thread(fn, *args, **kwargs)


@dataclass(frozen=True)
class GpuDevice:
    index: int
    name: str
    total_memory_bytes: int


@dataclass(frozen=True)
class ComputeResources:
    """What this machine offers for inference (spec §4.2, resource detection)."""

    torch_available: bool
    cuda_devices: tuple[GpuDevice, ...] = ()
    mps_available: bool = False
    system_ram_bytes: int = 0
    os_name: str = field(default_factory=platform.system)
    os_release: str = field(default_factory=platform.release)
    cpu_count: int = field(default_factory=lambda: os.cpu_count() or 1)

    @property
    def cuda_available(self) -> bool:
        return bool(self.cuda_devices)

    def describe(self) -> str:
        parts = [f"{self.os_name} {self.os_release}", f"{self.cpu_count} CPU cores"]
        if self.system_ram_bytes:
            parts.append(f"{self.system_ram_bytes / 1024**3:.1f} GiB RAM")
        for gpu in self.cuda_devices:
            parts.append(f"CUDA {gpu.index}: {gpu.name} ({gpu.total_memory_bytes / 1024**3:.1f} GiB)")
        if self.mps_available:
            parts.append("Apple MPS")
        if not self.torch_available:
            parts.append("PyTorch not installed")
        return ", ".join(parts)


def detect_compute_resources() -> ComputeResources:
    """Probe torch (CUDA, MPS), RAM and the OS. Imports torch, so call it lazily."""
    ram = _system_ram_bytes()
    try:
        import torch  # noqa: TID251
    except ImportError:
        return ComputeResources(torch_available=False, system_ram_bytes=ram)
    cuda: list[GpuDevice] = []
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            cuda.append(GpuDevice(index=index, name=props.name, total_memory_bytes=int(props.total_memory)))
    mps_backend = getattr(torch.backends, "mps", None)
    mps = bool(mps_backend is not None and mps_backend.is_available())
    return ComputeResources(
        torch_available=True, cuda_devices=tuple(cuda), mps_available=mps, system_ram_bytes=ram
    )


def _system_ram_bytes() -> int:
    try:
        import psutil

        return int(psutil.virtual_memory().total)
    except ImportError:  # pragma: no cover - psutil is a dependency
        pages = os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
        return int(pages * os.sysconf("SC_PAGE_SIZE")) if pages else 0


def freeze_params(params: Mapping[str, Any] | None) -> Hashable:
    """A hashable, order-independent form of loader parameters, for the cache key."""

    def freeze(value: Any) -> Hashable:
        if isinstance(value, Mapping):
            return tuple(sorted((str(k), freeze(v)) for k, v in value.items()))
        if isinstance(value, list | tuple):
            return tuple(freeze(v) for v in value)
        if isinstance(value, set | frozenset):
            return tuple(sorted(repr(freeze(v)) for v in value))
        try:
            hash(value)
        except TypeError:
            return repr(value)
        return value  # type: ignore[no-any-return]

    return freeze(params or {})


CacheKey = tuple[str, str, Hashable]


class ModelExecutionManager:
    """Loads models once, keeps them, hands them out, and runs work on the model runner.

    manager.register_model_loader("open_clip", load_open_clip)
    model = await manager.get_model("open_clip", "ViT-B-32", {"device": "cpu"})
    result = await manager.run(model.encode, batch)
    """

    def __init__(self, runner: SyncRunner | None = None, host: ModelHost | None = None) -> None:
        self._runner: SyncRunner = runner or ThreadRunner()
        self._host = host
        self._loaders: dict[str, ModelLoader] = {}
        self._batch_sizers: dict[str, BatchSizer] = {}
        self._models: dict[CacheKey, Any] = {}
        # One lock per key: loading one model never waits for another, and two callers asking for
        # the same model get one load. Threading locks, because callers may sit on different loops.
        self._key_locks: dict[CacheKey, threading.Lock] = {}
        self._registry_lock = threading.Lock()
        self._resources: ComputeResources | None = None

    # Resource detection ------------------------------------------------------------------

    @property
    def resources(self) -> ComputeResources:
        """Detected on first use (it imports torch), then remembered."""
        if self._resources is None:
            if self._host is not None:
                self._resources = self._host.call_sync(detect_compute_resources, (), {})
            else:
                self._resources = detect_compute_resources()
        return self._resources

    @property
    def in_worker(self) -> bool:
        """Whether models live in a worker process (the window) rather than in this one."""
        return self._host is not None

    def close(self) -> None:
        """Stop the worker process, if models live in one (the library closes, the app quits)."""
        if self._host is not None:
            self._host.close()
            with self._registry_lock:
                self._models.clear()

    async def detect_resources(self) -> ComputeResources:
        """`resources` for code on an event loop: the first probe runs on the model runner.

        Probing imports torch, which takes seconds (over 4 s measured on a busy 2-core machine);
        on the world's loop that stalls every call the window makes meanwhile (the inspector, the
        grid's tiles). Async code calls this before `get_model_device_preference`.
        """
        if self._resources is None and self._host is not None:
            self._resources = await self._host.call(detect_compute_resources, (), {})
        elif self._resources is None:
            await self._runner.run(lambda: self.resources)
        return self.resources

    def get_model_device_preference(self) -> str:
        """'cuda', 'mps' or 'cpu': the best available, unless DAM_DESKTOP_DEVICE says otherwise."""
        override = os.environ.get(DEVICE_ENV_VAR, "").strip().lower()
        if override in {"cpu", "cuda", "mps"}:
            return override
        if self.resources.cuda_available:
            return "cuda"
        if self.resources.mps_available:
            return "mps"
        return "cpu"

    # Running work ----------------------------------------------------------------------

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn(*args, **kwargs)` on the model runner (the model thread) and await its result;
        with a host, in the worker (`fn` a loaded model's method or a module-level function)."""
        if self._host is not None:
            result: T = await self._host.call(fn, args, kwargs)
            return result
        return await self._runner.run(fn, *args, **kwargs)

    # Loading ---------------------------------------------------------------------------

    def register_model_loader(self, model_identifier: str, loader: ModelLoader) -> None:
        with self._registry_lock:
            self._loaders[model_identifier] = loader

    def has_model_loader(self, model_identifier: str) -> bool:
        with self._registry_lock:
            return model_identifier in self._loaders

    @staticmethod
    def cache_key(
        model_identifier: str, model_name_or_path: str, params: Mapping[str, Any] | None = None
    ) -> CacheKey:
        return (model_identifier, model_name_or_path, freeze_params(params))

    async def get_model(
        self,
        model_identifier: str,
        model_name_or_path: str,
        params: Mapping[str, Any] | None = None,
        force_reload: bool = False,
    ) -> Any:
        """The cached model, or load it with the registered loader on the model runner.

        Raises KeyError when no loader is registered for `model_identifier`; whatever the loader
        raises (a missing weights file, say) reaches the caller and nothing is cached.
        """
        key = self.cache_key(model_identifier, model_name_or_path, params)
        if not force_reload:
            with self._registry_lock:
                if key in self._models:
                    return self._models[key]
        if self._host is not None:
            return await self._get_remote_model(key, model_identifier, model_name_or_path, params)
        return await self._runner.run(
            self.get_model_sync, model_identifier, model_name_or_path, params, force_reload
        )

    async def _get_remote_model(
        self, key: CacheKey, identifier: str, name: str, params: Mapping[str, Any] | None
    ) -> RemoteModel:
        assert self._host is not None
        with self._registry_lock:
            loader = self._loaders.get(identifier)
        if loader is None:
            raise KeyError(f"no model loader registered for '{identifier}'")
        model = RemoteModel(key, loader, name, dict(params or {}))
        log.info("loading model %s / %s in the model worker", identifier, name)
        await self._host.load(model)
        with self._registry_lock:
            self._models[key] = model
        return model

    def get_model_sync(
        self,
        model_identifier: str,
        model_name_or_path: str,
        params: Mapping[str, Any] | None = None,
        force_reload: bool = False,
    ) -> Any:
        """`get_model` for code already on the model thread."""
        key = self.cache_key(model_identifier, model_name_or_path, params)
        with self._registry_lock:
            loader = self._loaders.get(model_identifier)
            if loader is None:
                raise KeyError(f"no model loader registered for '{model_identifier}'")
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._registry_lock:
                loaded = key in self._models
                cached = self._models.get(key)
            if loaded and not force_reload:
                return cached
            if loaded:
                self._drop(key)
            log.info("loading model %s / %s", model_identifier, model_name_or_path)
            model = loader(model_name_or_path, dict(params or {}))
            with self._registry_lock:
                self._models[key] = model
            return model

    def is_model_loaded(
        self, model_identifier: str, model_name_or_path: str, params: Mapping[str, Any] | None = None
    ) -> bool:
        with self._registry_lock:
            return self.cache_key(model_identifier, model_name_or_path, params) in self._models

    def loaded_models(self) -> list[tuple[str, str]]:
        """(identifier, name) of every model held now, one entry per loaded copy."""
        with self._registry_lock:
            return [(identifier, name) for identifier, name, _params in self._models]

    def unload_model(
        self, model_identifier: str, model_name_or_path: str, params: Mapping[str, Any] | None = None
    ) -> bool:
        """Forget the model and free what CUDA cached for it. True if it was loaded."""
        return self._drop(self.cache_key(model_identifier, model_name_or_path, params))

    def unload_all(self) -> None:
        with self._registry_lock:
            keys = list(self._models)
        for key in keys:
            self._drop(key)

    def _drop(self, key: CacheKey) -> bool:
        with self._registry_lock:
            if key not in self._models:
                return False
            del self._models[key]
        if self._host is not None:
            self._host.forget(key)
            return True
        self._empty_cuda_cache()
        return True

    def _empty_cuda_cache(self) -> None:
        if self._resources is not None and not self._resources.cuda_available:
            return
        try:
            import torch  # noqa: TID251
        except ImportError:
            return
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    # Batch sizes -----------------------------------------------------------------------

    def register_batch_sizer(self, model_identifier: str, sizer: BatchSizer) -> None:
        with self._registry_lock:
            self._batch_sizers[model_identifier] = sizer

    def get_optimal_batch_size(
        self,
        model_identifier: str,
        model_name_or_path: str,
        item_size_estimate_mb: float,
        fallback_batch_size: int = 16,
    ) -> int:
        """A model's own sizer if one is registered, else the memory heuristic (spec §4.4)."""
        with self._registry_lock:
            sizer = self._batch_sizers.get(model_identifier)
        if sizer is not None:
            return max(1, int(sizer(self, model_name_or_path, item_size_estimate_mb, fallback_batch_size)))
        return self._heuristic_batch_size(item_size_estimate_mb, fallback_batch_size)

    def _heuristic_batch_size(self, item_size_estimate_mb: float, fallback: int) -> int:
        device = self.get_model_device_preference()
        available = self._available_accelerator_bytes(device)
        if available is None or item_size_estimate_mb <= 0:
            return max(1, fallback)
        usable = available * (1.0 - VRAM_RESERVE_FRACTION)
        size = int(usable // (item_size_estimate_mb * MIB))
        return max(1, min(size, MAX_BATCH_SIZE))

    def _available_accelerator_bytes(self, device: str) -> int | None:
        """Free memory the batch may use on `device`; None on the CPU (the caller's fallback wins)."""
        if device == "cuda" and self.resources.cuda_available and self._host is not None:
            # The worker's CUDA context is not ours to ask synchronously: half the card, as below.
            return int(self.resources.cuda_devices[0].total_memory_bytes * 0.5)
        if device == "cuda" and self.resources.cuda_available:
            import torch  # noqa: TID251

            try:
                free, _total = torch.cuda.mem_get_info()
                return int(free)
            except RuntimeError:
                return int(self.resources.cuda_devices[0].total_memory_bytes * 0.5)
        if device == "mps" and self.resources.mps_available:
            return int(self.resources.system_ram_bytes * MPS_RAM_FRACTION)
        return None
