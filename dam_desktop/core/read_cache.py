"""What reads may remember between searches, kept by the world for its sessions.

`read_cache(session)` is a dict the world keeps for every session it makes: the search remembers
there what only steers its plans (how many assets, how many trashed). The world empties it
whenever a change is committed or announced, its own or another workstation's
(`World.notify_changed`, the change feed, a commit of any of its sessions), and an entry expires
after `CACHE_TTL_S` as well: a figure for planning may be that stale, never a result. Nothing here
imports SQLAlchemy (the command line's quick reads compile queries without it).
"""

from __future__ import annotations

from typing import Any

CACHE_KEY = "dam_read_cache"
CACHE_TTL_S = 10.0


def read_cache(session: Any) -> dict[str, Any] | None:
    """The world's cache for `session`, or None (a plain sqlite3 session, a bare session)."""
    info = getattr(session, "info", None)
    cache = info.get(CACHE_KEY) if isinstance(info, dict) else None
    return cache if isinstance(cache, dict) else None
