"""Models kept in another process: the handles the model manager gives out, and what a host does.

The window hands its model work to a worker process (`dam_desktop.ml.worker_client`), so torch,
open_clip and the weights never enter the window's memory: imported there they cost ~930 MB before
any model runs (measured by `benchmarks/window_memory.py`). The services do not change: they ask
the manager for a model and run its methods through the manager,

    embedder = await manager.get_model("clip", name, params)   # a RemoteModel here
    vectors = await manager.run(embedder.encode_texts, ["a cat"])

and a `RemoteModel` answers `embedder.encode_texts` with a `RemoteMethod`, which the host sends to
the worker with its arguments (paths, texts, numpy arrays: pickled) and whose result comes back.
A handle carries its loader (a module-level function, pickled by name), so a worker that died or
idled out loads the model again on the next call.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from dam_desktop.core.errors import DamError


class ModelWorkerError(DamError):
    """The model worker stopped while it worked (a crash, or killed: out of memory, say).

    The batch it was working on fails with this message; the next request starts a new worker.
    """


class ModelWorkerDied(ModelWorkerError):
    """The worker died during the request (not stopped by us): the request may be tried again,
    in parts, to find the one file that kills it."""


@dataclass(frozen=True)
class RemoteModel:
    """A model loaded in the worker: `(identifier, name, params)` with the loader that makes it."""

    key: tuple[str, str, Hashable]
    loader: Callable[[str, Mapping[str, Any]], Any] = field(compare=False)
    name: str = field(compare=False)
    params: Mapping[str, Any] = field(compare=False)

    def __getattr__(self, attribute: str) -> RemoteMethod:
        if attribute.startswith("_"):  # pickle and copy probe dunders before the fields are set
            raise AttributeError(attribute)
        return RemoteMethod(self, attribute)


@dataclass(frozen=True)
class RemoteMethod:
    """`model.method` of a model in the worker; `ModelExecutionManager.run` sends it there."""

    model: RemoteModel
    method: str


class ModelHost(Protocol):
    """Runs model work in another process. Functions sent must be picklable (module-level)."""

    async def call(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """`fn(*args, **kwargs)` in the worker (a `RemoteMethod` runs on its loaded model)."""
        ...

    def call_sync(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """`call` for code that is not on an event loop (it blocks the calling thread)."""
        ...

    async def load(self, model: RemoteModel) -> None:
        """Load the model in the worker now (its loader's errors reach the caller)."""
        ...

    def forget(self, key: Hashable) -> None:
        """Drop the model from the worker (its weights are freed there)."""
        ...

    def close(self) -> None:
        """Stop the worker now (quit, another library): a request in flight fails."""
        ...
