"""The @system and @listens_for decorators: a system's stage or event is declared once, here.

Decorating only records metadata on the function; a `World` registers it (and checks its
dependencies) with `world.register_system(func)`, so importing a module never touches a world.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from dam_desktop.core.events import BaseEvent
from dam_desktop.core.stages import SystemStage

F = TypeVar("F", bound=Callable[..., Any])

SYSTEM_METADATA_ATTR = "__dam_system__"

DEFAULT_BATCH_SIZE = 64


@dataclass(frozen=True)
class SystemMetadata:
    stage: SystemStage | None = None
    event_type: type[BaseEvent] | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    requires: tuple[str, ...] = ()
    changes: str | None = None


def system(
    *,
    stage: SystemStage,
    batch_size: int = DEFAULT_BATCH_SIZE,
    requires: tuple[str, ...] = (),
    changes: str | None = None,
) -> Callable[[F], F]:
    """Mark an async function as a system of `stage`.

    `batch_size` caps how many marked entities one call receives; the stage calls the system
    again until its marker is drained. `requires` names the modules it cannot run without (torch
    for a neural model): where one is not installed (the lite package) the stage skips the system
    and leaves its markers. `changes` is the component a finished batch is announced as in the
    world's change event (the stage's own, from `STAGE_INFO`, when None).
    """

    def decorate(func: F) -> F:
        meta = SystemMetadata(stage=stage, batch_size=batch_size, requires=requires, changes=changes)
        setattr(func, SYSTEM_METADATA_ATTR, meta)
        return func

    return decorate


def listens_for(event_type: type[BaseEvent]) -> Callable[[F], F]:
    """Mark an async function as a handler of `event_type`; its return value goes to the dispatcher."""

    def decorate(func: F) -> F:
        setattr(func, SYSTEM_METADATA_ATTR, SystemMetadata(event_type=event_type))
        return func

    return decorate


def get_system_metadata(func: Callable[..., Any]) -> SystemMetadata | None:
    meta = getattr(func, SYSTEM_METADATA_ATTR, None)
    return meta if isinstance(meta, SystemMetadata) else None
