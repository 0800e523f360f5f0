"""Give the C heap's free pages back to the system (glibc's `malloc_trim`), where there is one.

A streamed result grows its id array page by page, and each page's read, on the world's and the
read pool's threads, allocates and frees megabytes; glibc keeps what was freed in its arenas (one
per thread that allocated) for the next allocation, so the window's resident memory stayed at its
highest after every broad search. Trimming once a result is whole hands those pages back. Elsewhere
(macOS, Windows, musl) this does nothing.
"""

from __future__ import annotations

import ctypes
import sys
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    """The process's own C library, or None. The symbols the process already has, not a search by
    name: `ctypes.util.find_library` runs `ldconfig -p` in a subprocess, on the window's start."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


def _trim() -> Any:
    return getattr(_libc(), "malloc_trim", None)


def release_free_heap() -> bool:
    """Hand the heap's free pages back; True when the C library did (glibc)."""
    trim = _trim()
    if trim is None:
        return False
    trim(0)
    return True


M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8


def settle_heap_for_a_window() -> bool:
    """glibc's allocator, set for a window that runs for hours: at most two arenas (one per
    allocating thread by default, each keeping what its thread freed) and a fixed 1 MiB threshold
    above which a block is its own mapping, returned whole when freed (a result's id arrays, a
    page of a million ids). By default the threshold grows to the largest block freed, up to 32
    MiB, and such blocks then stay in the heap. True where the C library took it (glibc)."""
    library = _libc()
    if library is None or getattr(library, "mallopt", None) is None or _trim() is None:
        return False
    library.mallopt(M_ARENA_MAX, 2)
    library.mallopt(M_MMAP_THRESHOLD, 1024 * 1024)
    return True
