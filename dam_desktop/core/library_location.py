"""What `--library` names: a folder (SQLite) or a shared library's PostgreSQL URL.

Nothing here imports SQLAlchemy: the window asks before its first paint.
"""

from __future__ import annotations

from urllib.parse import urlsplit

SERVER_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_server_url(text: str) -> bool:
    return text.strip().lower().startswith(SERVER_SCHEMES)


def display_url(url: str) -> str:
    """The URL without its password, fit for titles, messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", "@", 1)
    return parts._replace(netloc=netloc).geturl()


def database_name(url: str) -> str:
    """The database's name in `url` (what the window calls the library)."""
    path = url.split("://", 1)[1].split("?", 1)[0]
    return path.rsplit("/", 1)[-1] or display_url(url)
