"""A registered system: its function, metadata and dependencies, the check that the world can
provide them, and whether the modules it requires are installed here (the lite package has no torch).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from dam_desktop.core.errors import DependencyResolutionError
from dam_desktop.core.injection import Dependency, DependencyKind
from dam_desktop.core.systems import SystemMetadata
from dam_desktop.models.core.markers import BaseMarker

if TYPE_CHECKING:
    from dam_desktop.core.world import World

SystemFunc = Callable[..., Awaitable[Any]]


@cache
def module_installed(name: str) -> bool:
    """Whether `name` can be imported here, found without importing it (torch takes seconds)."""
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


@dataclass(frozen=True)
class RegisteredSystem:
    func: SystemFunc
    name: str
    metadata: SystemMetadata
    dependencies: tuple[Dependency, ...]

    @property
    def marker(self) -> type[BaseMarker] | None:
        for dep in self.dependencies:
            if dep.kind == DependencyKind.MARKED_ENTITIES:
                marker: type[BaseMarker] = dep.target
                return marker
        return None

    @property
    def missing_modules(self) -> list[str]:
        return [name for name in self.metadata.requires if not module_installed(name)]


def check_resolvable(world: World, name: str, metadata: SystemMetadata, deps: tuple[Dependency, ...]) -> None:
    """Raise DependencyResolutionError, naming the system and parameter, for what cannot be injected."""
    markers = [d for d in deps if d.kind == DependencyKind.MARKED_ENTITIES]
    if len(markers) > 1:
        raise DependencyResolutionError(name, markers[1].name, "a system may drain only one marker")
    for dep in deps:
        if dep.kind == DependencyKind.RESOURCE and not world.resources.has(dep.target):
            raise DependencyResolutionError(
                name,
                dep.name,
                f"no resource of type {dep.target.__qualname__} in world '{world.name}'",
            )
        if dep.kind == DependencyKind.EVENT:
            if metadata.event_type is None:
                raise DependencyResolutionError(name, dep.name, "only @listens_for handlers receive events")
            if not issubclass(metadata.event_type, dep.target):
                raise DependencyResolutionError(
                    name,
                    dep.name,
                    f"handler listens for {metadata.event_type.__name__} "
                    f"but the parameter wants {dep.target.__name__}",
                )
        if dep.kind == DependencyKind.MARKED_ENTITIES and metadata.stage is None:
            raise DependencyResolutionError(name, dep.name, "event handlers cannot drain markers")
