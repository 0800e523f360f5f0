"""Text safe to print or show, with no import beyond the standard library (the command line's
quick reads use it before anything heavy has loaded)."""

from __future__ import annotations

import os


def display_path(path: str | os.PathLike[str]) -> str:
    """A path safe to print or show: bytes that are not UTF-8 appear as `\\xNN`.

    Paths come from the OS through `os.fsdecode`, which keeps undecodable bytes as lone
    surrogates; those cannot be printed, stored in SQLite or shown by Qt.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")
