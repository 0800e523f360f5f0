"""Dependency injection for systems and event handlers, declared with `typing.Annotated`.

A system's parameters say what it needs; the scheduler reads them once, when the system is
registered, and turns each into a `Dependency`. Anything it cannot resolve is reported then, with
the system's and the parameter's names, rather than as a TypeError mid-run.

    async def make_thumbnails(
        session: WorldSession,
        config: Resource[ThumbnailConfig],
        entities: MarkedEntityList[NeedsThumbnailMarker],
        context: WorldContext,
    ) -> SystemResult | None: ...
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar, get_args, get_origin, get_type_hints

from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.errors import DependencyResolutionError
from dam_desktop.core.events import BaseEvent
from dam_desktop.models.core.entity import Entity
from dam_desktop.models.core.markers import BaseMarker

T = TypeVar("T")
M = TypeVar("M", bound=BaseMarker)

WORLD_SESSION = "WorldSession"
RESOURCE = "Resource"
MARKED_ENTITY_LIST = "MarkedEntityList"
WORLD_CONTEXT = "WorldContext"
EVENT = "Event"

WorldSession = Annotated[AsyncSession, WORLD_SESSION]
Resource = Annotated[T, RESOURCE]

if TYPE_CHECKING:

    class MarkedEntityList(list[Entity], Generic[M]):
        """Entities carrying the marker `M`, in batches."""

else:

    class MarkedEntityList:
        def __class_getitem__(cls, marker: type[BaseMarker]) -> Any:
            return Annotated[list[Entity], MARKED_ENTITY_LIST, marker]


@dataclass(frozen=True)
class WorldContext:
    """What a system may want to know about the world it runs in."""

    session: AsyncSession
    world_name: str
    world_config: Any


@dataclass(frozen=True)
class SystemResult:
    """What a system reports back. A marker-draining system: entities it could not finish, and why
    (entities not named here are considered finished and lose their marker). A system with no
    marker: what it changed, announced once its work commits (None: nothing; no ids: a change
    that may concern any asset, as the words stage's)."""

    failed: dict[int, str] = field(default_factory=dict)
    changed: frozenset[int] | None = None


class DependencyKind:
    SESSION = "session"
    RESOURCE = "resource"
    MARKED_ENTITIES = "marked_entities"
    CONTEXT = "context"
    EVENT = "event"


@dataclass(frozen=True)
class Dependency:
    name: str
    kind: str
    target: Any = None  # the resource type, marker class or event class


def _classify(system_name: str, name: str, hint: Any) -> Dependency:
    if get_origin(hint) is Annotated:
        base, *meta = get_args(hint)
        tag = meta[0] if meta else None
        if tag == WORLD_SESSION:
            return Dependency(name, DependencyKind.SESSION)
        if tag == RESOURCE:
            if not isinstance(base, type):
                raise DependencyResolutionError(system_name, name, f"resource type {base!r} is not a class")
            return Dependency(name, DependencyKind.RESOURCE, base)
        if tag == MARKED_ENTITY_LIST:
            marker = meta[1] if len(meta) > 1 else None
            if not (isinstance(marker, type) and issubclass(marker, BaseMarker)):
                raise DependencyResolutionError(
                    system_name, name, f"MarkedEntityList needs a marker component class, got {marker!r}"
                )
            return Dependency(name, DependencyKind.MARKED_ENTITIES, marker)
        if tag == WORLD_CONTEXT:
            return Dependency(name, DependencyKind.CONTEXT)
        if tag == EVENT and isinstance(base, type) and issubclass(base, BaseEvent):
            return Dependency(name, DependencyKind.EVENT, base)
        raise DependencyResolutionError(system_name, name, f"unknown annotation marker {tag!r}")
    if hint is WorldContext:
        return Dependency(name, DependencyKind.CONTEXT)
    if hint is AsyncSession:
        return Dependency(name, DependencyKind.SESSION)
    if isinstance(hint, type) and issubclass(hint, BaseEvent):
        return Dependency(name, DependencyKind.EVENT, hint)
    raise DependencyResolutionError(
        system_name,
        name,
        f"type {hint!r} is not injectable; use WorldSession, Resource[T], "
        "MarkedEntityList[Marker], WorldContext or an event class",
    )


def analyse_dependencies(func: Callable[..., Any]) -> tuple[Dependency, ...]:
    """Read a system's signature into dependencies, or raise DependencyResolutionError."""
    system_name = getattr(func, "__qualname__", repr(func))
    try:
        hints = get_type_hints(func, include_extras=True)
    except Exception as exc:  # a NameError in a string annotation, say
        raise DependencyResolutionError(system_name, "?", f"annotations cannot be evaluated: {exc}") from exc
    deps: list[Dependency] = []
    for name in inspect.signature(func).parameters:
        if name not in hints:
            raise DependencyResolutionError(system_name, name, "parameter has no type annotation")
        deps.append(_classify(system_name, name, hints[name]))
    return tuple(deps)
