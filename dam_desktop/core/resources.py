"""Per-world shared objects (configuration, model manager, caches), looked up by type."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from dam_desktop.core.errors import ResourceNotFoundError

T = TypeVar("T")


class ResourceManager:
    def __init__(self) -> None:
        self._resources: dict[type[Any], Any] = {}

    def add(self, instance: object, as_type: type[Any] | None = None) -> None:
        self._resources[as_type or type(instance)] = instance

    def has(self, resource_type: type[Any]) -> bool:
        return resource_type in self._resources

    def get(self, resource_type: type[T]) -> T:
        try:
            return cast(T, self._resources[resource_type])
        except KeyError:
            raise ResourceNotFoundError(resource_type) from None

    def remove(self, resource_type: type[Any]) -> None:
        self._resources.pop(resource_type, None)
