"""The ECS kernel: world, scheduler, decorators, dependency injection, events and the database.

The public names are loaded on first use (PEP 562), so that importing a light module such as
`dam_desktop.core.errors` or `dam_desktop.core.library` does not pull in SQLAlchemy: the window
paints its first grid before the world (and SQLAlchemy's half a second of imports) is loaded.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dam_desktop.core.errors import (
        DamError,
        DependencyResolutionError,
        LibraryError,
        LibraryLockedError,
        ResourceNotFoundError,
        SystemDeferred,
        SystemExecutionError,
    )
    from dam_desktop.core.events import BaseEvent
    from dam_desktop.core.injection import (
        MarkedEntityList,
        Resource,
        SystemResult,
        WorldContext,
        WorldSession,
    )
    from dam_desktop.core.stages import SystemStage
    from dam_desktop.core.systems import listens_for, system
    from dam_desktop.core.world import World, WorldConfig

_EXPORTS = {
    "BaseEvent": "events",
    "DamError": "errors",
    "DependencyResolutionError": "errors",
    "LibraryError": "errors",
    "LibraryLockedError": "errors",
    "MarkedEntityList": "injection",
    "Resource": "injection",
    "ResourceNotFoundError": "errors",
    "SystemDeferred": "errors",
    "SystemExecutionError": "errors",
    "SystemResult": "injection",
    "SystemStage": "stages",
    "World": "world",
    "WorldConfig": "world",
    "WorldContext": "injection",
    "WorldSession": "injection",
    "listens_for": "systems",
    "system": "systems",
}

__all__ = [
    "BaseEvent",
    "DamError",
    "DependencyResolutionError",
    "LibraryError",
    "LibraryLockedError",
    "MarkedEntityList",
    "Resource",
    "ResourceNotFoundError",
    "SystemDeferred",
    "SystemExecutionError",
    "SystemResult",
    "SystemStage",
    "World",
    "WorldConfig",
    "WorldContext",
    "WorldSession",
    "listens_for",
    "system",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
