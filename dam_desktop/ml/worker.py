"""The model worker: the child process that holds the window's models and runs its inference.

Started by `worker_client.ModelWorker` (multiprocessing, spawn) with one end of a pipe. It answers
one request at a time, in order, as the model thread does in the CLI:

    ("load", RemoteModel)            -> ("ok", None)       load and keep the model
    ("call", fn, args, kwargs)       -> ("ok", result)     fn a RemoteMethod or a module function
    ("forget", key)                  -> no answer           drop a model
    ("stop",)                        -> the process ends

and ("error", exception) when the work raised (the exception travels back and is raised there, so
WeightsMissingError reaches the stage as it would in-process). Images are decoded here, from their
paths: the pixels never cross the pipe and never enter the window's memory. The worker ends when
the pipe closes (the window quit or died), so it cannot outlive its window.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Hashable
from multiprocessing.connection import Connection
from typing import Any

from dam_desktop.core.model_host import RemoteMethod, RemoteModel

log = logging.getLogger(__name__)


class _Models:
    def __init__(self) -> None:
        self._loaded: dict[Hashable, Any] = {}

    def get(self, handle: RemoteModel) -> Any:
        model = self._loaded.get(handle.key)
        if model is None:
            log.info("model worker %d: loading %s", os.getpid(), handle.name)
            model = handle.loader(handle.name, dict(handle.params))
            self._loaded[handle.key] = model
        return model

    def forget(self, key: Hashable) -> None:
        self._loaded.pop(key, None)
        try:
            import torch  # noqa: TID251
        except ImportError:
            return
        if torch.cuda.is_available():
            torch.cuda.empty_cache()


def _answer(models: _Models, message: tuple[Any, ...]) -> Any:
    if message[0] == "load":
        models.get(message[1])
        return None
    _op, fn, args, kwargs = message
    if isinstance(fn, RemoteMethod):
        fn = getattr(models.get(fn.model), fn.method)
    return fn(*args, **kwargs)


def _error_for_pipe(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a plain one with its message."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def serve(conn: Connection, torch_threads: int) -> None:
    """The worker's main loop (the spawned process's target)."""
    # No progress bars from the model libraries: they would print into the terminal the window
    # was started from, and tqdm's lock is a semaphore the killed worker would leave behind
    # ("resource_tracker: ... leaked semaphore objects" at quit).
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from dam_desktop.ml.model_thread import get_model_thread

    # The loaders call configure_torch() on "the model thread": here that is this process.
    get_model_thread().torch_threads = torch_threads
    models = _Models()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message[0] == "stop":
            return
        if message[0] == "forget":
            models.forget(message[1])
            continue
        try:
            reply: tuple[str, Any] = ("ok", _answer(models, message))
        except Exception as exc:
            reply = ("error", _error_for_pipe(exc))
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return
        except Exception as exc:  # an answer that cannot be pickled: say so instead
            conn.send(("error", RuntimeError(f"the model worker cannot send its answer back: {exc}")))
