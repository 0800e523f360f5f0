"""Where this workstation mounts a shared library's store, kept in its settings per library.

The database records the store's path as the workstation that created the library saw it; a
workstation that mounts the share elsewhere (another drive letter, /mnt instead of /srv) says so
once (`--store PATH`), and the mapping is used from then on. Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from dam_desktop.core.library_location import display_url

GROUP = "shared-store"


def _key(url: str) -> str:
    # QSettings keys may not hold '/' freely: the URL (without its password) is the key's text.
    return GROUP + "/" + display_url(url).replace("/", "|")


def store_mount(settings: QSettings, url: str, given: Path | None) -> Path | None:
    """The store folder for `url` on this computer: `given` (then remembered), else the one
    remembered, else None (the path the library records)."""
    if given is not None:
        settings.setValue(_key(url), str(given))
        return given
    saved = settings.value(_key(url), "")
    return Path(str(saved)) if saved else None
