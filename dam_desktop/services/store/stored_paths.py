"""How the database stores where an asset's bytes are, and how to read that back.

Paths in the database must be valid UTF-8, but POSIX file names are bytes. A path that is not
valid UTF-8 is stored as `bytes:` followed by its bytes percent-encoded, which is lossless and
readable; `decode_db_path` turns it back into the OS path. Managed copies are stored relative to
the library folder, so a library can be moved as a whole.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote_from_bytes, unquote_to_bytes

from dam_desktop.core.library import STORAGE_MANAGED, LibraryPaths

ENCODED_PATH_PREFIX = "bytes:"


def encode_db_path(path: str | os.PathLike[str]) -> str:
    """A path as the database stores it: itself when it is valid UTF-8, else `bytes:` + %-escapes."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return ENCODED_PATH_PREFIX + quote_from_bytes(os.fsencode(text), safe="/ !#$&'()*+,-.:;=@[]^_`{}~")
    return text


def decode_db_path(stored: str) -> str:
    """The OS path a stored path stands for (the inverse of `encode_db_path`)."""
    if stored.startswith(ENCODED_PATH_PREFIX):
        return os.fsdecode(unquote_to_bytes(stored[len(ENCODED_PATH_PREFIX) :]))
    return stored


def managed_relative_path(sha256_hex: str) -> str:
    """The library-relative path of a managed copy, as `FileLocationComponent.path` stores it."""
    return f"files/{sha256_hex[:2]}/{sha256_hex[2:4]}/{sha256_hex}"


def location_file(paths: LibraryPaths, storage_type: str, stored_path: str) -> Path:
    """Where on disk a `FileLocationComponent` points."""
    if storage_type == STORAGE_MANAGED:
        return paths.root / stored_path
    return Path(decode_db_path(stored_path))
