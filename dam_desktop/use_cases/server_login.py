"""Signing in to a studio's shared library: the password goes to the system keyring, never into a
URL the app keeps (recent libraries, settings, titles)."""

from __future__ import annotations

from dam_desktop.core.errors import LibraryError
from dam_desktop.core.server_password import remember_password, split_password


def keep_server_password(url: str, password: str | None = None) -> str:
    """Save `password` (or the one written in `url`) for the shared library at `url` in the system
    keyring, and return the URL to open and remember: the same, without a password. With neither,
    nothing is saved (libpq's ~/.pgpass applies). Raises LibraryError, in words, when this
    computer has no keyring to keep it in."""
    bare, written = split_password(url)
    secret = password or written
    if secret:
        try:
            remember_password(bare, secret)
        except Exception as exc:  # keyring's errors and a missing backend's, whatever the platform
            raise LibraryError(
                f"cannot keep the password in this computer's keyring ({exc}); "
                'put it in ~/.pgpass instead (see the README, "Shared library for a studio")'
            ) from exc
    return bare
