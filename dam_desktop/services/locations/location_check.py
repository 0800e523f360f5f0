"""Find moved or missing files: a cancellable check of every place the library expects a file.

Opening a library never looks at the disk beyond its database; this check is the separate job
that does. It walks the library's assets in id order, a batch at a time:

1. one query reads the batch's locations and the size each file had when it was imported;
2. each file is looked at with `os.stat` off the event loop (several chunks at once: a stat mostly
   waits on the file system, and on a network share those waits overlap);
3. each location is present, missing, or changed (a file is there but its size differs);
4. one transaction records the batch's verdict: a `MissingFileComponent` for each asset none of
   whose locations is present, none for the others.

Cancelling stops between batches: the batches written stay, the rest keep the previous check's
marks, so the library is consistent at any point. Trashed assets are left out (their stored
copies sit in the trash on purpose). `location_relink` fixes what this finds for files the user
moved.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import STORAGE_REFERENCE, LibraryPaths
from dam_desktop.core.world import World
from dam_desktop.models.files import (
    PROBLEM_CHANGED,
    PROBLEM_MISSING,
    ContentHashSHA256Component,
    FileLocationComponent,
    FilePropertiesComponent,
)
from dam_desktop.services.ingest.import_worker import CancelToken
from dam_desktop.services.locations.location_inspect import StoredLocation, inspect_file, inspect_location
from dam_desktop.services.locations.location_marks import missing_marks, not_trashed, write_marks
from dam_desktop.services.locations.location_verify import Verifier
from dam_desktop.services.store.stored_paths import location_file
from dam_desktop.utils.media_utils import display_path

__all__ = [
    "PROBLEM_CHANGED",
    "PROBLEM_MISSING",
    "CancelToken",
    "CheckProgress",
    "CheckReport",
    "LocationProblem",
    "check_locations",
    "inspect_location",
    "missing_marks",
]

log = logging.getLogger(__name__)

# Assets per batch: one read, one write transaction, one progress call.
BATCH_SIZE = 500
# Files per stat call in a worker thread; a batch's chunks run at once.
STAT_CHUNK = 50
# Files per worker-thread call when verifying (each is read whole).
VERIFY_CHUNK = 4
# on_progress is called at most this often (and once at the start and the end).
PROGRESS_INTERVAL_S = 0.1


@dataclass(frozen=True)
class LocationProblem:
    """One place the library expects an asset's file that does not hold it."""

    entity_id: int
    location_id: int
    file_name: str  # the asset's original file name
    storage_type: str  # STORAGE_MANAGED or STORAGE_REFERENCE
    stored_path: str  # as `FileLocationComponent.path` stores it
    path: str  # where the file was expected, display-safe
    problem: str  # PROBLEM_MISSING or PROBLEM_CHANGED
    reason: str
    expected_size: int
    # The asset still opens from another of its locations; this one is only stale.
    other_copy_present: bool = False

    @property
    def relinkable(self) -> bool:
        """A moved reference can be found again; a lost managed copy comes back by re-importing."""
        return (
            self.storage_type == STORAGE_REFERENCE
            and self.problem == PROBLEM_MISSING
            and self.location_id != 0
        )


@dataclass(frozen=True)
class CheckProgress:
    done: int  # assets checked
    total: int  # assets to check
    current_path: str


@dataclass
class CheckReport:
    total_assets: int = 0
    assets_checked: int = 0
    locations_checked: int = 0
    problems: list[LocationProblem] = field(default_factory=list)
    cancelled: bool = False

    @property
    def missing_assets(self) -> list[int]:
        """Assets none of whose locations holds their file (the ones the grid marks)."""
        return sorted({p.entity_id for p in self.problems if not p.other_copy_present})

    def count(self, problem: str) -> int:
        return sum(1 for p in self.problems if p.problem == problem)

    @property
    def all_present(self) -> bool:
        return not self.problems and not self.cancelled


@dataclass(frozen=True)
class CheckedAsset:
    entity_id: int
    file_name: str
    size: int
    locations: list[StoredLocation]
    sha256: bytes | None = None


# (problem, reason, display path) for a location whose file is not as expected; None when it is.
Verdict = tuple[str, str, str] | None


def _inspect_chunk(
    paths: LibraryPaths,
    items: Sequence[tuple[StoredLocation, int, bytes | None]],
    cancel: CancelToken,
    verifier: Verifier | None,
) -> list[Verdict] | None:
    if cancel.cancelled:
        return None
    verdicts: list[Verdict] = []
    for location, size, sha in items:
        found = inspect_file(paths, location, size)
        if found is None and verifier is not None:
            file = location_file(paths, location.storage_type, location.stored_path)
            found = verifier.verdict(file, location.storage_type, sha, cancel)
        if found is None:
            verdicts.append(None)
            continue
        file = location_file(paths, location.storage_type, location.stored_path)
        # Repeated reasons share one string: a check of an unplugged drive yields 100k of the same.
        verdicts.append((found[0], sys.intern(found[1]), display_path(str(file))))
    return verdicts


# --- the check ----------------------------------------------------------------------------------


async def _count_assets(session: AsyncSession) -> int:
    stmt = (
        select(func.count())
        .select_from(FilePropertiesComponent)
        .where(not_trashed(FilePropertiesComponent.entity_id))
    )
    return int((await session.scalar(stmt)) or 0)


async def _batch_end(session: AsyncSession, after: int, limit: int) -> int | None:
    """The last asset id of the batch after `after`: batches are id ranges, so every statement
    of a batch is a range scan on an entity_id index rather than a list of ids to bind."""
    fp = FilePropertiesComponent
    ids = select(fp.entity_id).where(fp.entity_id > after).order_by(fp.entity_id).limit(limit).subquery()
    last = await session.scalar(select(func.max(ids.c.entity_id)))
    return None if last is None else int(last)


async def _read_batch(session: AsyncSession, after: int, upto: int) -> list[CheckedAsset]:
    """The assets with ids in (after, upto], trash aside, each with its locations."""
    fp, loc = FilePropertiesComponent, FileLocationComponent
    rows = await session.execute(
        select(
            fp.entity_id,
            fp.original_filename,
            fp.file_size_bytes,
            loc.id,
            loc.storage_type,
            loc.path,
            loc.source_path,
            ContentHashSHA256Component.hash_value,
        )
        .outerjoin(loc, loc.entity_id == fp.entity_id)
        .outerjoin(ContentHashSHA256Component, ContentHashSHA256Component.entity_id == fp.entity_id)
        .where(fp.entity_id > after, fp.entity_id <= upto, not_trashed(fp.entity_id))
        .order_by(fp.entity_id, loc.id)
    )
    assets: list[CheckedAsset] = []
    locations: list[StoredLocation] = []
    for eid, name, size, location_id, storage_type, path, source, sha in rows:
        if not assets or assets[-1].entity_id != eid:
            locations = []
            assets.append(
                CheckedAsset(eid, name, int(size), locations, bytes(sha) if sha is not None else None)
            )
        if location_id is not None:
            locations.append(StoredLocation(location_id, eid, storage_type, path, source))
    return assets


async def _inspect_batch(
    paths: LibraryPaths, assets: Sequence[CheckedAsset], cancel: CancelToken, verifier: Verifier | None
) -> list[Verdict] | None:
    """Each location's verdict, in the batch's order; None when cancelled."""
    items = [(loc, asset.size, asset.sha256) for asset in assets for loc in asset.locations]
    # Verifying reads whole files: smaller chunks keep the threads busy evenly.
    step = STAT_CHUNK if verifier is None else VERIFY_CHUNK
    chunks = [items[i : i + step] for i in range(0, len(items), step)]
    results = await asyncio.gather(
        *(asyncio.to_thread(_inspect_chunk, paths, chunk, cancel, verifier) for chunk in chunks)
    )
    verdicts: list[Verdict] = []
    for result in results:
        if result is None:
            return None
        verdicts.extend(result)
    return verdicts


def _problems_of(assets: Sequence[CheckedAsset], verdicts: Sequence[Verdict]) -> list[LocationProblem]:
    problems: list[LocationProblem] = []
    position = 0
    for asset in assets:
        found = verdicts[position : position + len(asset.locations)]
        position += len(asset.locations)
        if not asset.locations:
            problems.append(
                LocationProblem(
                    asset.entity_id,
                    0,
                    asset.file_name,
                    STORAGE_REFERENCE,
                    "",
                    "",
                    PROBLEM_MISSING,
                    "the library has no location recorded for this asset",
                    asset.size,
                )
            )
            continue
        any_present = any(v is None for v in found)
        for location, verdict in zip(asset.locations, found, strict=True):
            if verdict is None:
                continue
            problems.append(
                LocationProblem(
                    entity_id=asset.entity_id,
                    location_id=location.location_id,
                    file_name=asset.file_name,
                    storage_type=location.storage_type,
                    stored_path=location.stored_path,
                    path=verdict[2],
                    problem=verdict[0],
                    reason=verdict[1],
                    expected_size=asset.size,
                    other_copy_present=any_present,
                )
            )
    return problems


async def check_locations(
    world: World,
    *,
    on_progress: Callable[[CheckProgress], None] | None = None,
    cancel: CancelToken | None = None,
    batch_size: int | None = None,
    verify: Verifier | None = None,
) -> CheckReport:
    """Look at every file the library expects (trashed assets aside) and record what is missing.

    Runs on the world's loop; `on_progress` is called on that loop's thread. `cancel` stops it
    between batches; the report then says `cancelled` and covers the batches done. With `verify`,
    every file of the right size is also re-hashed (throttled by the verifier) and one whose
    content differs from what was imported is "changed" (`location_verify`).
    """
    cancel = cancel or CancelToken()
    batch_size = batch_size or BATCH_SIZE
    report = CheckReport()
    paths = world.paths
    async with world.session() as session:
        report.total_assets = await _count_assets(session)
    last_emit = 0.0
    current = ""

    def emit(force: bool = False) -> None:
        nonlocal last_emit
        if on_progress is None:
            return
        now = time.monotonic()
        if not force and now - last_emit < PROGRESS_INTERVAL_S:
            return
        last_emit = now
        done = report.assets_checked
        try:
            on_progress(CheckProgress(done, max(report.total_assets, done), current))
        except Exception:  # a broken progress display must not break the check
            log.exception("missing-files progress callback failed")

    emit(force=True)
    after = 0
    while not cancel.cancelled:
        async with world.session() as session:
            upto = await _batch_end(session, after, batch_size)
            assets = await _read_batch(session, after, upto) if upto is not None else []
        if upto is None:
            break
        verdicts = await _inspect_batch(paths, assets, cancel, verify)
        if verdicts is None:
            break
        problems = _problems_of(assets, verdicts)
        async with world.session() as session:
            await write_marks(session, after, upto, assets, problems)
        report.problems.extend(problems)
        report.assets_checked += len(assets)
        report.locations_checked += len(verdicts)
        after = upto
        if assets and assets[-1].locations:
            last = assets[-1].locations[-1]
            current = display_path(str(location_file(paths, last.storage_type, last.stored_path)))
        emit()
    report.cancelled = cancel.cancelled
    # More assets may have arrived during the check; the total says what was looked at.
    if not report.cancelled:
        report.total_assets = report.assets_checked
    emit(force=True)
    return report
