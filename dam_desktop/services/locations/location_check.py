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
import errno
import logging
import os
import stat
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import STORAGE_MANAGED, STORAGE_REFERENCE, LibraryPaths
from dam_desktop.core.world import World
from dam_desktop.models.files import (
    PROBLEM_CHANGED,
    PROBLEM_MISSING,
    ContentHashSHA256Component,
    FileLocationComponent,
    FilePropertiesComponent,
    MissingFileComponent,
    TrashedComponent,
)
from dam_desktop.services.ingest.import_worker import CancelToken
from dam_desktop.services.locations.location_verify import Verifier
from dam_desktop.services.store.stored_paths import decode_db_path, location_file
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
class _Location:
    location_id: int
    entity_id: int
    storage_type: str
    stored_path: str
    source_path: str | None


@dataclass(frozen=True)
class _Asset:
    entity_id: int
    file_name: str
    size: int
    locations: list[_Location]
    sha256: bytes | None = None


# --- looking at one file (worker thread) -----------------------------------------------------------


def _missing_reference_reason(file: Path, exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied: the file cannot be looked at"
    if not isinstance(exc, FileNotFoundError | NotADirectoryError):
        return f"cannot be looked at: {exc.strerror or exc}"
    if os.path.lexists(file):
        return "a symbolic link whose target is gone"
    if not file.parent.is_dir():
        return "its folder is gone too: moved or renamed, or on a drive that is not connected"
    return "not in its folder any more: deleted, renamed or moved"


def _missing_managed_reason(location: _Location, size: int) -> str:
    gone = "the stored copy was deleted from the library folder"
    if location.source_path:
        source = Path(decode_db_path(location.source_path))
        try:
            original = source.stat()
        except OSError:
            original = None
        if original is not None and stat.S_ISREG(original.st_mode) and original.st_size == size:
            return (
                f"{gone}; the original is still at {display_path(str(source))}: import it again to restore it"
            )
    return f"{gone}; import the original again to restore it"


def inspect_location(
    paths: LibraryPaths, storage_type: str, stored_path: str, size: int, source_path: str | None = None
) -> tuple[str, str] | None:
    """None when the file is where the location says, with the size recorded at import; else
    (problem, reason). Blocking: call it from a worker thread."""
    location = _Location(0, 0, storage_type, stored_path, source_path)
    return _inspect(paths, location, size)


def _inspect(paths: LibraryPaths, location: _Location, size: int) -> tuple[str, str] | None:
    file = location_file(paths, location.storage_type, location.stored_path)
    managed = location.storage_type == STORAGE_MANAGED
    try:
        info = file.stat()
    except OSError as exc:
        if managed and isinstance(exc, FileNotFoundError | NotADirectoryError):
            return PROBLEM_MISSING, _missing_managed_reason(location, size)
        if exc.errno == errno.ENAMETOOLONG:
            return PROBLEM_MISSING, "the path is too long for this system"
        return PROBLEM_MISSING, _missing_reference_reason(file, exc)
    if stat.S_ISDIR(info.st_mode):
        return PROBLEM_MISSING, "a folder, not a file, is at this path now"
    if not stat.S_ISREG(info.st_mode):
        return PROBLEM_MISSING, "something other than a regular file is at this path now"
    if info.st_size != size:
        if managed:
            return PROBLEM_CHANGED, (
                f"the stored copy was altered: {info.st_size:,} bytes, {size:,} expected"
            )
        return PROBLEM_CHANGED, (
            f"a different file is there: {info.st_size:,} bytes now, {size:,} when it was imported "
            "(edited or replaced since)"
        )
    return None


# (problem, reason, display path) for a location whose file is not as expected; None when it is.
Verdict = tuple[str, str, str] | None


def _inspect_chunk(
    paths: LibraryPaths,
    items: Sequence[tuple[_Location, int, bytes | None]],
    cancel: CancelToken,
    verifier: Verifier | None,
) -> list[Verdict] | None:
    if cancel.cancelled:
        return None
    verdicts: list[Verdict] = []
    for location, size, sha in items:
        found = _inspect(paths, location, size)
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


def _not_trashed(entity_id: Any) -> ColumnElement[bool]:
    return ~select(TrashedComponent.id).where(TrashedComponent.entity_id == entity_id).exists()


async def _count_assets(session: AsyncSession) -> int:
    stmt = (
        select(func.count())
        .select_from(FilePropertiesComponent)
        .where(_not_trashed(FilePropertiesComponent.entity_id))
    )
    return int((await session.scalar(stmt)) or 0)


async def _batch_end(session: AsyncSession, after: int, limit: int) -> int | None:
    """The last asset id of the batch after `after`: batches are id ranges, so every statement
    of a batch is a range scan on an entity_id index rather than a list of ids to bind."""
    fp = FilePropertiesComponent
    ids = select(fp.entity_id).where(fp.entity_id > after).order_by(fp.entity_id).limit(limit).subquery()
    last = await session.scalar(select(func.max(ids.c.entity_id)))
    return None if last is None else int(last)


async def _read_batch(session: AsyncSession, after: int, upto: int) -> list[_Asset]:
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
        .where(fp.entity_id > after, fp.entity_id <= upto, _not_trashed(fp.entity_id))
        .order_by(fp.entity_id, loc.id)
    )
    assets: list[_Asset] = []
    locations: list[_Location] = []
    for eid, name, size, location_id, storage_type, path, source, sha in rows:
        if not assets or assets[-1].entity_id != eid:
            locations = []
            assets.append(_Asset(eid, name, int(size), locations, bytes(sha) if sha is not None else None))
        if location_id is not None:
            locations.append(_Location(location_id, eid, storage_type, path, source))
    return assets


async def _inspect_batch(
    paths: LibraryPaths, assets: Sequence[_Asset], cancel: CancelToken, verifier: Verifier | None
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


def _problems_of(assets: Sequence[_Asset], verdicts: Sequence[Verdict]) -> list[LocationProblem]:
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


def _mark_for(problems: Sequence[LocationProblem]) -> LocationProblem:
    """The location an asset's mark describes: "changed" only when every location is changed."""
    return next((p for p in problems if p.problem == PROBLEM_MISSING), problems[0])


async def _write_marks(
    session: AsyncSession,
    after: int,
    upto: int,
    assets: Sequence[_Asset],
    problems: Sequence[LocationProblem],
) -> None:
    """Record the verdict on the assets with ids in (after, upto] in one transaction (commits)."""
    fp, loc, mark = FilePropertiesComponent, FileLocationComponent, MissingFileComponent
    in_batch = (after, upto)
    broken: dict[int, list[LocationProblem]] = {}
    for problem in problems:
        if not problem.other_copy_present:
            broken.setdefault(problem.entity_id, []).append(problem)
    await session.execute(delete(mark).where(mark.entity_id > in_batch[0], mark.entity_id <= in_batch[1]))
    if broken:
        # The disk was looked at without a transaction open: an asset trashed, deleted, or given
        # a new location (an import brought its file back) meanwhile is left unmarked; the next
        # check decides it.
        seen = {a.entity_id: {location.location_id for location in a.locations} for a in assets}
        now: dict[int, set[int]] = {}
        rows = await session.execute(
            select(loc.entity_id, loc.id).where(loc.entity_id > in_batch[0], loc.entity_id <= in_batch[1])
        )
        for eid, location_id in rows:
            now.setdefault(eid, set()).add(location_id)
        live = set(
            (
                await session.scalars(
                    select(fp.entity_id).where(
                        fp.entity_id > in_batch[0], fp.entity_id <= in_batch[1], _not_trashed(fp.entity_id)
                    )
                )
            ).all()
        )
        rows_to_insert = []
        for eid, found in broken.items():
            if eid not in live or now.get(eid, set()) != seen[eid]:
                continue
            shown = _mark_for(found)
            rows_to_insert.append(
                {
                    "entity_id": eid,
                    "problem": shown.problem,
                    "reason": shown.reason[:2000],
                    "path": shown.stored_path[:4096],
                    "storage_type": shown.storage_type,
                }
            )
        if rows_to_insert:
            # The table, not the class: a plain executemany, without the ORM's bulk bookkeeping.
            await session.execute(insert(cast(Table, mark.__table__)), rows_to_insert)
    await session.commit()


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
            await _write_marks(session, after, upto, assets, problems)
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


async def missing_marks(session: AsyncSession) -> dict[int, tuple[str, str]]:
    """{entity id: (problem, reason)} for every asset marked by the last check, trash aside."""
    mark = MissingFileComponent
    rows = await session.execute(
        select(mark.entity_id, mark.problem, mark.reason).where(_not_trashed(mark.entity_id))
    )
    return {int(eid): (problem, sys.intern(reason)) for eid, problem, reason in rows}
