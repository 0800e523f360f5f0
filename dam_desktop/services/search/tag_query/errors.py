"""Errors of the tag query language. Each carries the character position it refers to."""

from __future__ import annotations

# The errors cross layers (the window and the CLI show them), so they live with the kernel's.
from dam_desktop.core.errors import (
    QueryEncodingError,
    QueryError,
    QueryLimitError,
    QuerySyntaxError,
    QueryTermError,
)

__all__ = [
    "QueryEncodingError",
    "QueryError",
    "QueryLimitError",
    "QuerySyntaxError",
    "QueryTermError",
    "is_surrogate",
    "shown",
]


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
