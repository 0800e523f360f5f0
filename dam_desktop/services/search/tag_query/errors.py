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


class QueryLimitError(QueryError):
    """A query nested deeper or longer than the compiler and SQLite can take (`MAX_DEPTH`, `MAX_TERMS`)."""


class QueryEncodingError(QueryError):
    """The query text holds bytes that are not UTF-8 (they reach Python as lone surrogates)."""


def is_surrogate(ch: str) -> bool:
    return "\ud800" <= ch <= "\udfff"


def shown(text: str) -> str:
    """`text` safe to print: undecodable bytes as `\\xff`, other unprintable characters escaped."""
    out: list[str] = []
    for ch in text:
        if "\udc80" <= ch <= "\udcff":  # how surrogateescape carries an undecodable byte
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif is_surrogate(ch) or not ch.isprintable():
            out.append(ascii(ch)[1:-1])
        else:
            out.append(ch)
    return "".join(out)
