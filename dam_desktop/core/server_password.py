"""A shared library's password, kept in the system keyring (`keyring`), never in a stored URL.

The window's *Connect to Shared Library…* puts the password in the keyring under the URL without
it (`user@host/database`); opening that URL later takes the password from there. A URL that
carries its own password keeps it; with none saved, libpq's `~/.pgpass` and `PGPASSWORD` apply
as for every libpq program. A workstation with no usable keyring (a headless server) just has
no saved password: that is logged, never an error.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, unquote, urlsplit

from dam_desktop.core.library_location import display_url

log = logging.getLogger(__name__)

SERVICE = "dam-desktop shared library"


def split_password(url: str) -> tuple[str, str | None]:
    """The URL without its password, and the password (None when it has none)."""
    password = urlsplit(url).password
    return display_url(url), None if password is None else unquote(password)


def remember_password(url: str, password: str) -> None:
    """Keep `password` for `url` (its password part, if any, is ignored) in the system keyring.
    Raises keyring's KeyringError when there is no keyring to keep it in."""
    import keyring

    keyring.set_password(SERVICE, display_url(url), password)


def saved_password(url: str) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(SERVICE, display_url(url))
        except KeyringError as exc:
            log.info("no password from the system keyring for %s: %s", display_url(url), exc)
    except ImportError:
        log.info("the keyring package is not installed: no saved passwords")
    return None


def with_saved_password(url: str) -> str:
    """`url` as the driver needs it: with the keyring's password when it carries none itself."""
    parts = urlsplit(url)
    if parts.password is not None:
        return url
    password = saved_password(url)
    if password is None:
        return url
    user, _, host = parts.netloc.rpartition("@")
    netloc = f"{user}:{quote(password, safe='')}@{host}"
    return parts._replace(netloc=netloc).geturl()
