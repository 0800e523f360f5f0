"""Events: messages dispatched to @listens_for handlers, which may answer with results."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(kw_only=True)
class BaseEvent:
    """Subclass with the fields a handler needs. Handlers' return values come back to the dispatcher."""
