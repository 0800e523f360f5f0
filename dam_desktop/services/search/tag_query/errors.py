"""Errors of the tag query language. Each carries the character position it refers to."""

from __future__ import annotations

from dam_desktop.core.errors import DamError


class QueryError(DamError):
    """A query that cannot be run. `position` is the 0-based character offset the error points at.

    `str(error)` is one line meant for people: "position 5: expected ')' to close '(' at 0".
    """

    def __init__(self, message: str, position: int, length: int = 1) -> None:
        super().__init__(f"position {position}: {message}")
        self.message = message
        self.position = position
        self.length = max(1, length)


class QuerySyntaxError(QueryError):
    """The text does not follow the grammar (unbalanced parentheses, a dangling '-' or '|')."""


class QueryTermError(QueryError):
    """A term is well formed but its value is not (`width:>abc`, `size:>10XB`, `added:>2026-13-01`)."""
