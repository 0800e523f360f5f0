"""ModelExecutionManager: caching, the load lock, unload, devices, batch sizes, and OOM retry."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from dam_desktop.core.model_manager import ModelExecutionManager, ThreadRunner
from dam_desktop.ml.model_thread import ModelThread
from dam_desktop.utils.model_utils import oom_retry_batch_adjustment


class CountingLoader:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.threads: list[str] = []

    def __call__(self, name: str, params: Mapping[str, Any]) -> dict[str, Any]:
        self.calls.append((name, dict(params)))
        self.threads.append(threading.current_thread().name)
        return {"name": name, "params": dict(params)}


async def test_a_model_is_loaded_once_and_then_served_from_the_cache() -> None:
    manager = ModelExecutionManager()
    loader = CountingLoader()
    manager.register_model_loader("fake", loader)

    first = await manager.get_model("fake", "small", {"device": "cpu", "dims": [1, 2]})
    again = await manager.get_model("fake", "small", {"dims": [1, 2], "device": "cpu"})

    assert first is again
    assert len(loader.calls) == 1
    assert manager.is_model_loaded("fake", "small", {"device": "cpu", "dims": [1, 2]})


async def test_different_names_or_params_are_different_models() -> None:
    manager = ModelExecutionManager()
    loader = CountingLoader()
    manager.register_model_loader("fake", loader)

    a = await manager.get_model("fake", "small", {"device": "cpu"})
    b = await manager.get_model("fake", "large", {"device": "cpu"})
    c = await manager.get_model("fake", "small", {"device": "cuda"})

    assert len({id(a), id(b), id(c)}) == 3
    assert [name for name, _ in loader.calls] == ["small", "large", "small"]


async def test_force_reload_loads_a_fresh_instance() -> None:
    manager = ModelExecutionManager()
    loader = CountingLoader()
    manager.register_model_loader("fake", loader)

    first = await manager.get_model("fake", "small")
    reloaded = await manager.get_model("fake", "small", force_reload=True)

    assert reloaded is not first
    assert len(loader.calls) == 2
    assert await manager.get_model("fake", "small") is reloaded


async def test_two_concurrent_requests_for_one_model_load_it_once() -> None:
    # A multi-threaded runner, so the two requests really do run at the same time.
    manager = ModelExecutionManager(runner=ThreadRunner())
    entered = threading.Event()
    release = threading.Event()
    calls: list[str] = []

    def slow_loader(name: str, params: Mapping[str, Any]) -> object:
        calls.append(name)
        entered.set()
        release.wait(timeout=30)
        return object()

    manager.register_model_loader("slow", slow_loader)
    first = asyncio.create_task(manager.get_model("slow", "m"))
    second = asyncio.create_task(manager.get_model("slow", "m"))
    await asyncio.to_thread(entered.wait, 30)
    release.set()
    a, b = await asyncio.gather(first, second)

    assert a is b
    assert calls == ["m"]


async def test_a_failing_loader_caches_nothing_and_can_be_retried(tmp_path: Path) -> None:
    manager = ModelExecutionManager()
    weights = tmp_path / "weights.bin"

    def loader(name: str, params: Mapping[str, Any]) -> str:
        if not weights.exists():
            raise FileNotFoundError(weights)
        return weights.read_text()

    manager.register_model_loader("file", loader)
    with pytest.raises(FileNotFoundError):
        await manager.get_model("file", "m")
    assert not manager.is_model_loaded("file", "m")

    weights.write_text("ok")
    assert await manager.get_model("file", "m") == "ok"


async def test_asking_for_an_unregistered_model_type_says_so() -> None:
    manager = ModelExecutionManager()
    with pytest.raises(KeyError, match="no model loader registered for 'nope'"):
        await manager.get_model("nope", "m")


async def test_unload_forgets_the_model_so_the_next_request_loads_it_again() -> None:
    manager = ModelExecutionManager()
    loader = CountingLoader()
    manager.register_model_loader("fake", loader)
    await manager.get_model("fake", "small", {"device": "cpu"})

    assert manager.unload_model("fake", "small", {"device": "cpu"}) is True
    assert not manager.is_model_loaded("fake", "small", {"device": "cpu"})
    assert manager.unload_model("fake", "small", {"device": "cpu"}) is False

    await manager.get_model("fake", "small", {"device": "cpu"})
    assert len(loader.calls) == 2


async def test_loaders_and_jobs_run_on_the_model_thread() -> None:
    thread = ModelThread(name="test-model")
    try:
        manager = ModelExecutionManager(runner=thread)
        loader = CountingLoader()
        manager.register_model_loader("fake", loader)
        await manager.get_model("fake", "small")
        job_thread = await manager.run(lambda: threading.current_thread().name)

        assert loader.threads[0].startswith("test-model")
        assert job_thread == loader.threads[0]
    finally:
        thread.shutdown()


def test_resources_describe_the_machine() -> None:
    manager = ModelExecutionManager()
    resources = manager.resources

    assert resources.torch_available
    assert resources.system_ram_bytes > 0
    assert resources.os_name
    assert manager.get_model_device_preference() in {"cpu", "cuda", "mps"}
    if not resources.cuda_available and not resources.mps_available:
        assert manager.get_model_device_preference() == "cpu"
    assert "CPU cores" in resources.describe()


def test_device_preference_can_be_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAM_DESKTOP_DEVICE", "cpu")
    assert ModelExecutionManager().get_model_device_preference() == "cpu"


def test_a_registered_batch_sizer_decides_the_batch_size() -> None:
    manager = ModelExecutionManager()
    seen: list[tuple[str, float, int]] = []

    def sizer(mgr: ModelExecutionManager, name: str, item_mb: float, fallback: int) -> int:
        seen.append((name, item_mb, fallback))
        return 12

    manager.register_batch_sizer("clip", sizer)

    assert manager.get_optimal_batch_size("clip", "ViT-B-32", 3.0, 8) == 12
    assert seen == [("ViT-B-32", 3.0, 8)]
    assert manager.get_optimal_batch_size("other", "x", 3.0, 8) in range(1, 257)


def test_on_the_cpu_the_heuristic_uses_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAM_DESKTOP_DEVICE", "cpu")
    assert ModelExecutionManager().get_optimal_batch_size("clip", "ViT-B-32", 3.0, 24) == 24


def test_the_vram_heuristic_divides_free_memory_among_items_and_caps_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    manager = ModelExecutionManager()
    monkeypatch.setenv("DAM_DESKTOP_DEVICE", "cuda")
    gib = 1024**3
    monkeypatch.setattr(manager, "_available_accelerator_bytes", lambda device: 1 * gib)

    # 70% of 1 GiB is usable: 716 MiB / 10 MiB per item -> 71 items.
    assert manager.get_optimal_batch_size("clip", "m", 10.0, 8) == 71
    assert manager.get_optimal_batch_size("clip", "m", 0.01, 8) == 256
    assert manager.get_optimal_batch_size("clip", "m", 4096.0, 8) == 1


def test_oom_retry_halves_the_batch_until_it_fits() -> None:
    import torch  # noqa: TID251

    sizes: list[int] = []

    @oom_retry_batch_adjustment(max_retries=3)
    def run_batches(items: list[int], *, batch_size: int) -> list[list[int]]:
        sizes.append(batch_size)
        if batch_size > 8:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return [items[i : i + batch_size] for i in range(0, len(items), batch_size)]

    batches = run_batches(list(range(20)), batch_size=32)

    assert sizes == [32, 16, 8]
    assert [len(b) for b in batches] == [8, 8, 4]


async def test_oom_retry_works_on_async_functions_and_gives_up_after_max_retries() -> None:
    import torch  # noqa: TID251

    sizes: list[int] = []

    @oom_retry_batch_adjustment(max_retries=2, min_batch_size=2)
    async def always_oom(*, batch_size: int) -> None:
        sizes.append(batch_size)
        raise torch.cuda.OutOfMemoryError("CUDA out of memory")

    with pytest.raises(torch.cuda.OutOfMemoryError):
        await always_oom(batch_size=16)
    assert sizes == [16, 8, 4]

    sizes.clear()
    with pytest.raises(torch.cuda.OutOfMemoryError):
        await always_oom(batch_size=3)
    assert sizes == [3, 2]


def test_oom_retry_lets_other_errors_through_at_once() -> None:
    sizes: list[int] = []

    @oom_retry_batch_adjustment()
    def broken(*, batch_size: int) -> None:
        sizes.append(batch_size)
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        broken(batch_size=8)
    assert sizes == [8]


async def test_probing_the_machine_runs_on_the_model_thread_not_the_callers_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Probing imports torch (seconds); on the world's loop it would stall every window call.
    from dam_desktop.core import model_manager

    probed_on: list[str] = []
    real_probe = model_manager.detect_compute_resources

    def probe() -> model_manager.ComputeResources:
        probed_on.append(threading.current_thread().name)
        return real_probe()

    monkeypatch.setattr(model_manager, "detect_compute_resources", probe)
    thread = ModelThread(name="test-model")
    try:
        manager = ModelExecutionManager(runner=thread)
        resources = await manager.detect_resources()
        await manager.detect_resources()

        assert probed_on and probed_on[0].startswith("test-model")
        assert len(probed_on) == 1
        assert manager.get_model_device_preference() in {"cpu", "cuda", "mps"}
        assert resources.system_ram_bytes > 0
    finally:
        thread.shutdown()
