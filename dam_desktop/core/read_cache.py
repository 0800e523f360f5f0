"""What reads may remember between searches, kept by the world for its sessions.

`read_cache(session)` is a dict the world keeps for every session it makes: the search remembers
there what only steers its plans (how many assets, how many trashed). The world empties it
whenever a change is committed or announced, its own or another workstation's
(`World.notify_changed`, the change feed, a commit of any of its sessions), and an entry expires
after `CACHE_TTL_S` as well: a figure for planning may be that stale, never a result. Nothing here
imports SQLAlchemy (the command line's quick reads compile queries without it).

What a search checks with the server before it trusts it (a tag name's ids, see
`services.search.remembered_tags`) is kept apart, in `checked_cache`: it is not emptied on a
change (each use is checked in the same round trip), and only read sessions see it: a session
that writes could read its own uncommitted tag edits through an entry made before them.
"""

from __future__ import annotations

from typing import Any

CACHE_KEY = "dam_read_cache"
# Set on the world's read sessions (`World.read_session`), which never write.
READS_ONLY_KEY = "dam_reads_only"
CHECKED_KEY = "dam_checked_cache"
CACHE_TTL_S = 10.0


def read_cache(session: Any) -> dict[str, Any] | None:
    """The world's cache for `session`, or None (a plain sqlite3 session, a bare session)."""
    info = getattr(session, "info", None)
    cache = info.get(CACHE_KEY) if isinstance(info, dict) else None
    return cache if isinstance(cache, dict) else None


def checked_cache(session: Any) -> dict[str, Any] | None:
    """What a read session (which cannot have written what it reads) may assume as long as it
    checks it with the server before trusting it; kept for the world's life. None for any other
    session."""
    info = getattr(session, "info", None)
    if not isinstance(info, dict) or not info.get(READS_ONLY_KEY):
        return None
    cache = info.get(CHECKED_KEY)
    return cache if isinstance(cache, dict) else None
