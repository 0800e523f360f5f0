"""Helpers for batched inference (spec §4.5)."""

from __future__ import annotations

import functools
import inspect
import itertools
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def _oom_error_types() -> tuple[type[BaseException], ...]:
    try:
        import torch  # noqa: TID251
    except ImportError:
        return ()
    return (torch.cuda.OutOfMemoryError,)


def _free_cuda_cache() -> None:
    import torch  # noqa: TID251

    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def oom_retry_batch_adjustment(
    max_retries: int = 3, reduction_factor: float = 0.5, min_batch_size: int = 1
) -> Callable[[F], F]:
    """Retry a batched call with a smaller `batch_size` when CUDA runs out of memory.

    The decorated function (sync or async) must take `batch_size` as a keyword argument and form
    its batches from it. On `torch.cuda.OutOfMemoryError` the CUDA cache is freed and the call is
    repeated with `batch_size * reduction_factor` (at least `min_batch_size`), up to `max_retries`
    times; the error is re-raised when retries run out or the batch cannot shrink further.
    """
    if not 0 < reduction_factor < 1:
        raise ValueError("reduction_factor must be between 0 and 1")

    def next_size(batch_size: int) -> int:
        return max(min_batch_size, int(batch_size * reduction_factor))

    def shrink_or_raise(attempt: int, kwargs: dict[str, Any], error: BaseException) -> None:
        """After an OOM on try `attempt`: free the cache and lower `batch_size`, or re-raise."""
        batch_size = kwargs["batch_size"]
        smaller = next_size(batch_size)
        if attempt >= max_retries or smaller >= batch_size:
            raise error
        _free_cuda_cache()
        log.warning("CUDA out of memory at batch size %d; retrying with %d", batch_size, smaller)
        kwargs["batch_size"] = smaller

    def require_batch_size(func: Callable[..., Any], kwargs: dict[str, Any]) -> None:
        if "batch_size" not in kwargs:
            raise TypeError(f"{func.__qualname__} must be called with batch_size=...")

    def decorate(func: F) -> F:
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                require_batch_size(func, kwargs)
                oom_types = _oom_error_types()
                for attempt in itertools.count():
                    try:
                        return await func(*args, **kwargs)
                    except oom_types as error:
                        shrink_or_raise(attempt, kwargs, error)

            return cast(F, async_wrapper)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            require_batch_size(func, kwargs)
            oom_types = _oom_error_types()
            for attempt in itertools.count():
                try:
                    return func(*args, **kwargs)
                except oom_types as error:
                    shrink_or_raise(attempt, kwargs, error)

        return cast(F, wrapper)

    return decorate
