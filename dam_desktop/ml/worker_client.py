"""The window's side of the model worker: starts it, sends it work, notices when it dies.

One `ModelWorker` per open library (the window's model manager owns it). The worker process
(`dam_desktop.ml.worker`) is spawned on the first model request, not at open; it holds torch and the
models, so the window's memory stays flat while it embeds (`benchmarks/window_memory.py`).

- Requests go one at a time over a pipe from one thread of ours, in order; awaiting them never
  blocks the caller's loop.
- A worker that dies mid-request (a crash, or killed when out of memory) fails that request with
  `ModelWorkerError`: the stage records the batch's files as failed with that reason and goes on;
  the next request starts a new worker, which loads its models again.
- After `idle_s` with no request the worker is stopped, giving its memory (weights, torch) back.
- `close` (the library closes, the app quits) kills it at once, even mid-batch: quitting is not
  held up by a batch of inference.

torch is never imported here: this module runs in the window.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from dam_desktop.core.model_host import ModelWorkerDied, ModelWorkerError, RemoteModel

log = logging.getLogger(__name__)

T = TypeVar("T")

IDLE_SECONDS = 300.0
"""A worker with no request for this long is stopped; the next request starts another."""

STOP_GRACE_SECONDS = 0.3


class ModelWorker:
    """A `ModelHost`: models live in one child process, started lazily and restarted when it dies."""

    def __init__(self, idle_s: float = IDLE_SECONDS) -> None:
        self.idle_s = idle_s
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dam-model-pipe")
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._last_used = time.monotonic()
        self._idle_timer: threading.Timer | None = None
        self._closed = False
        self.starts = 0
        self.busy = False

    @property
    def pid(self) -> int | None:
        """The worker's process id while one runs (tests and the benchmark watch it)."""
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    # ModelHost ---------------------------------------------------------------------------

    async def call(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return await asyncio.wrap_future(self._submit(("call", fn, args, kwargs)))

    def call_sync(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return self._submit(("call", fn, args, kwargs)).result()

    async def load(self, model: RemoteModel) -> None:
        await asyncio.wrap_future(self._submit(("load", model)))

    def forget(self, key: Hashable) -> None:
        """Queued behind the request in flight, not waited for: the caller's loop goes on."""
        if not self._closed:
            with contextlib.suppress(RuntimeError):  # closed meanwhile: the worker is gone anyway
                self._executor.submit(self._send_forget, key)

    def _send_forget(self, key: Hashable) -> None:
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(OSError):
                    self._conn.send(("forget", key))

    def close(self) -> None:
        """Kill the worker now; a request in flight fails, queued ones are dropped."""
        self._closed = True
        self._cancel_idle_timer()
        self._executor.shutdown(wait=False, cancel_futures=True)
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is not None:
            _end(process, conn, polite=False)

    # The pipe ------------------------------------------------------------------------------

    def _submit(self, message: tuple[Any, ...]) -> Future[Any]:
        if self._closed:
            raise ModelWorkerError("the model worker has been shut down (the library closed)")
        return self._executor.submit(self._exchange, message)

    def _exchange(self, message: tuple[Any, ...]) -> Any:
        with self._lock:
            self._cancel_idle_timer()
            conn = self._ensure_started()
            self.busy = True
            try:
                conn.send(message)
                status, value = conn.recv()
            except (EOFError, OSError) as exc:
                raise self._died() from exc
            finally:
                self.busy = False
                self._last_used = time.monotonic()
                self._arm_idle_timer()
        if status == "error":
            raise value
        return value

    def _ensure_started(self) -> Connection:
        if self._closed:
            raise ModelWorkerError("the model worker has been shut down (the library closed)")
        if self._process is not None and self._conn is not None and self._process.is_alive():
            return self._conn
        if self._process is not None:
            _end(self._process, self._conn, polite=False)
        from dam_desktop.ml.model_thread import default_torch_threads
        from dam_desktop.ml.worker import serve

        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe(duplex=True)
        process = context.Process(
            target=serve, args=(theirs, default_torch_threads()), name="dam-model-worker", daemon=True
        )
        process.start()
        theirs.close()
        self._process, self._conn = process, ours
        self.starts += 1
        log.info("model worker started (pid %s)", process.pid)
        return ours

    def _died(self) -> ModelWorkerError:  # ModelWorkerDied unless close() ended it
        if self._closed:  # close() ended it, and owns the process object
            return ModelWorkerError("the model worker was stopped (the library closed)")
        process, self._process = self._process, None
        conn, self._conn = self._conn, None
        code: int | None = None
        if process is not None:
            process.join(1.0)
            code = process.exitcode
            _end(process, conn, polite=False)
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        if code == -9:
            how += ", perhaps out of memory"
        log.warning("model worker died: %s", how)
        return ModelWorkerDied(f"the model worker stopped ({how}); it restarts for the next files")

    # Idling out ----------------------------------------------------------------------------

    def _arm_idle_timer(self) -> None:
        if self._closed or self._process is None:
            return
        timer = threading.Timer(self.idle_s, self._stop_if_idle)
        timer.daemon = True
        timer.start()
        self._idle_timer = timer

    def _cancel_idle_timer(self) -> None:
        timer, self._idle_timer = self._idle_timer, None
        if timer is not None:
            timer.cancel()

    def _stop_if_idle(self) -> None:
        with self._lock:
            if self._process is None or time.monotonic() - self._last_used < self.idle_s * 0.9:
                return
            log.info("model worker idle for %.0f s: stopped to give its memory back", self.idle_s)
            _end(self._process, self._conn, polite=True)
            self._process = self._conn = None
            self._idle_timer = None


def _end(process: BaseProcess, conn: Connection | None, *, polite: bool) -> None:
    """Stop the process: asked to (idle), or killed at once (quit, after a death)."""
    if conn is not None:
        if polite:
            with contextlib.suppress(OSError):
                conn.send(("stop",))
        conn.close()
    if polite:
        process.join(STOP_GRACE_SECONDS)
    if process.is_alive():
        process.kill()
        process.join(STOP_GRACE_SECONDS)
    if not process.is_alive():
        process.close()


def run_in_child(fn: Callable[..., T], /, *args: Any) -> T:
    """`fn(*args)` in a fresh child process that ends with it: a one-off torch job (the Models
    dialog's check of an imported weights file builds the model) that the window must not hold.
    Its exceptions come back as raised; a child that dies raises ModelWorkerError. Blocks."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        try:
            return pool.submit(fn, *args).result()
        except BrokenProcessPool as exc:
            raise ModelWorkerError(f"the model check stopped before it finished ({exc})") from exc
