"""Back up the open library (the window's Back Up Now… and its scheduled backups)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from dam_desktop.core.library_backup import BackupReport, backup_library
from dam_desktop.core.world import World


async def back_up_library(world: World, destination: Path, *, with_store: bool) -> BackupReport:
    """Copy the library to `destination` while it stays open; the copying runs on its own thread,
    so the world goes on serving the window meanwhile."""
    return await asyncio.to_thread(backup_library, world.paths, destination, with_store=with_store)
