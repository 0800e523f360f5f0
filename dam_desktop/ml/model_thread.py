"""The model thread: one worker thread that owns every torch model and runs all inference.

Models are loaded, used and freed on this thread only, so no two jobs race on one model, CUDA
sees a single host thread, and the GUI and world loops only ever await:

    from dam_desktop.ml.model_thread import get_model_thread

    embeddings = await get_model_thread().run(model.encode, batch)   # from any asyncio loop
    future = get_model_thread().submit(model.encode, batch)          # from plain threads

Jobs run one at a time in submission order. A job not yet started is dropped when the awaiting
task is cancelled; a running job finishes (long jobs should check their own cancel flag).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")

THREAD_NAME = "dam-model"


def default_torch_threads() -> int:
    """Intra-op threads for torch: every core on small machines, two left for GUI, DB and I/O on big ones."""
    cores = os.cpu_count() or 1
    return cores if cores <= 4 else cores - 2


class ModelThread:
    def __init__(self, name: str = THREAD_NAME, torch_threads: int | None = None) -> None:
        self.name = name
        self.torch_threads = torch_threads or default_torch_threads()
        # The executor starts its single thread on the first job, so an idle app has no model thread.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._thread_id: int | None = None
        self._torch_configured = False
        self._closed = False

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queue `fn(*args, **kwargs)`; the returned future may be waited on from any thread."""
        if self._closed:
            raise RuntimeError("the model thread has been shut down")

        def job() -> T:
            self._thread_id = threading.get_ident()
            return fn(*args, **kwargs)

        return self._executor.submit(job)

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn(*args, **kwargs)` on the model thread and await the result without blocking the loop."""
        if self.is_current():
            # Already on the model thread (a job awaiting a nested call would otherwise deadlock).
            return fn(*args, **kwargs)
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def is_current(self) -> bool:
        return self._thread_id is not None and threading.get_ident() == self._thread_id

    def configure_torch(self) -> None:
        """Set torch's thread count once; loaders call this on the model thread before building models."""
        if self._torch_configured:
            return
        import torch  # noqa: TID251

        torch.set_num_threads(self.torch_threads)
        self._torch_configured = True

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking jobs; drop the queued ones; with `wait`, let the running one finish."""
        self._closed = True
        self._executor.shutdown(wait=wait, cancel_futures=True)


_shared: ModelThread | None = None
_shared_lock = threading.Lock()


def get_model_thread() -> ModelThread:
    """The process-wide model thread (created on first use)."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared._closed:
            _shared = ModelThread()
        return _shared


def shutdown_model_thread(wait: bool = True) -> None:
    global _shared
    with _shared_lock:
        thread, _shared = _shared, None
    if thread is not None:
        thread.shutdown(wait=wait)
