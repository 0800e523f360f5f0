"""Events: messages dispatched to @listens_for handlers, which may answer with results."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(kw_only=True)
class BaseEvent:
    """Subclass with the fields a handler needs. Handlers' return values come back to the dispatcher."""


@dataclass(kw_only=True)
class AudioSearchQuery(BaseEvent):
    """Find sounds: like sound `entity_id`, or matching `query_text` (needs CLAP). Answered with hits."""

    entity_id: int | None = None
    query_text: str | None = None
    model_name: str | None = None  # the settings' model when None
    limit: int = 50
    allowed_entity_ids: frozenset[int] | None = None  # e.g. the ids a tag query matched


@dataclass(frozen=True, kw_only=True)
class WorldChanged:
    """What a committed transaction changed, told to the world's change listeners.

    `entity_ids` are the assets whose rows changed (empty with `everything` when too many to list,
    e.g. a schema upgrade or emptying the trash); `components` names what changed about them
    ("thumbnail", "tags", "trash", "embedding", "proposals", "file", "asset"), so a listener
    refreshes only what it shows. `added`/`removed` say that the set of assets itself changed,
    which the grid and the counts must re-read. `origin` is the other workstation's process that
    made the change on a shared library (`<host>-<pid>`), "" for this process's own.
    """

    entity_ids: frozenset[int] = frozenset()
    components: frozenset[str] = frozenset()
    added: bool = False
    removed: bool = False
    everything: bool = False
    origin: str = ""

    @classmethod
    def of(
        cls,
        entity_ids: Iterable[int] = (),
        *components: str,
        added: bool = False,
        removed: bool = False,
        everything: bool = False,
    ) -> WorldChanged:
        ids = frozenset(int(i) for i in entity_ids)
        return cls(
            entity_ids=ids,
            components=frozenset(components),
            added=added,
            removed=removed,
            everything=everything,
        )

    def touches(self, component: str) -> bool:
        return self.everything or component in self.components
