"""Systems drain marker components by calling services. `DEFAULT_SYSTEMS` is what every world runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from dam_desktop.systems.auto_tagging_system import auto_tagging_system
from dam_desktop.systems.semantic_systems import SEMANTIC_SYSTEMS
from dam_desktop.systems.thumbnail_system import thumbnail_system

DEFAULT_SYSTEMS: list[Callable[..., Awaitable[Any]]] = [
    thumbnail_system,
    auto_tagging_system,
    *SEMANTIC_SYSTEMS,
]
