"""Systems drain marker components by calling services. `DEFAULT_SYSTEMS` is what every world runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

DEFAULT_SYSTEMS: list[Callable[..., Awaitable[Any]]] = []
