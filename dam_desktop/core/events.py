"""Events: messages dispatched to @listens_for handlers, which may answer with results."""

from __future__ import annotations

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
