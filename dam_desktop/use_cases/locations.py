"""Where the files are: the check for missing or changed files, and relinking moved ones.

The window's Library › Check for Missing Files, its scheduled check, and `dam-desktop check` call
these. Both work in batches, each its own transaction, and tell the world which assets' marks
changed after each commit (`services.locations`), so a cancel keeps what was already recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dam_desktop.services.locations.location_check import (
    CancelToken,
    CheckProgress,
    CheckReport,
    LocationProblem,
    check_locations,
)
from dam_desktop.services.locations.location_relink import (
    PHASE_LOOKING,
    RelinkProgress,
    RelinkReport,
)
from dam_desktop.services.locations.location_relink import relink_from_folder as relink_problems
from dam_desktop.services.locations.location_verify import DEFAULT_BYTES_PER_SECOND, Verifier

if TYPE_CHECKING:
    from dam_desktop.core.world import World

__all__ = [
    "DEFAULT_BYTES_PER_SECOND",
    "PHASE_LOOKING",
    "CancelToken",
    "CheckProgress",
    "CheckReport",
    "LocationProblem",
    "RelinkProgress",
    "RelinkReport",
    "check_files",
    "relink_from_folder",
]


async def check_files(
    world: World,
    *,
    verify: bool = False,
    verify_bytes_per_second: int = DEFAULT_BYTES_PER_SECOND,
    on_progress: Callable[[CheckProgress], None] | None = None,
    cancel: CancelToken | None = None,
) -> CheckReport:
    """Look at every file the library expects and record what is missing or changed.

    With `verify`, every file's contents are hashed as well, within a read budget of
    `verify_bytes_per_second` (0: no limit) so the window and imports keep most of the disk.
    """
    verifier = Verifier(verify_bytes_per_second) if verify else None
    return await check_locations(world, on_progress=on_progress, cancel=cancel, verify=verifier)


async def relink_from_folder(
    world: World,
    folder: str | Path,
    problems: Sequence[LocationProblem],
    *,
    on_progress: Callable[[RelinkProgress], None] | None = None,
    cancel: CancelToken | None = None,
) -> RelinkReport:
    """Look in `folder` (recursively) for the missing referenced files among `problems` and point
    the library at the ones found there, after checking that their contents match."""
    return await relink_problems(world, folder, problems, on_progress=on_progress, cancel=cancel)
