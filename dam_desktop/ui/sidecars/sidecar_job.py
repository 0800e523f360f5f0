"""Writing sidecars as a job the status bar shows (its work runs on the world thread and a worker
thread; progress comes back as queued signals, see `ui.locations.location_jobs`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from dam_desktop.ui.locations.location_jobs import LocationJob
from dam_desktop.ui.world_client import WorldClient

if TYPE_CHECKING:
    from dam_desktop.core.world import World
    from dam_desktop.use_cases.locations import CancelToken
    from dam_desktop.use_cases.sidecars import SidecarProgress


class SidecarJob(LocationJob):
    """Writes (or, as a preview, only lists) the sidecars of `entity_ids` (None: every asset);
    `completed` carries the SidecarReport."""

    def __init__(
        self,
        client: WorldClient,
        entity_ids: Sequence[int] | None,
        *,
        dry_run: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__("Previewing sidecars" if dry_run else "Writing tags to sidecars", client, parent)
        self.entity_ids = None if entity_ids is None else list(entity_ids)
        self.dry_run = dry_run

    @property
    def summary(self) -> str:
        state = "Stopping" if self.cancelling else self.title
        if self.total:
            return f"{state}: {self.done:,} of {self.total:,} assets"
        return f"{state}…"

    async def work(self, world: World, token: CancelToken) -> Any:
        from dam_desktop.use_cases.sidecars import write_sidecars

        def progress(update: SidecarProgress) -> None:
            self.progressed.emit(update.done, update.total, update.current)

        return await write_sidecars(
            world, self.entity_ids, dry_run=self.dry_run, on_progress=progress, cancel=token
        )
