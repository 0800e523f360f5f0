"""The ECS kernel: world, scheduler, decorators, dependency injection, events and the database."""

from dam_desktop.core.errors import (
    DamError,
    DependencyResolutionError,
    LibraryError,
    LibraryLockedError,
    ResourceNotFoundError,
    SystemExecutionError,
)
from dam_desktop.core.events import BaseEvent
from dam_desktop.core.injection import MarkedEntityList, Resource, SystemResult, WorldContext, WorldSession
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.systems import listens_for, system
from dam_desktop.core.world import World, WorldConfig

__all__ = [
    "BaseEvent",
    "DamError",
    "DependencyResolutionError",
    "LibraryError",
    "LibraryLockedError",
    "MarkedEntityList",
    "Resource",
    "ResourceNotFoundError",
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
