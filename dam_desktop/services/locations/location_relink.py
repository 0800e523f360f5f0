"""Relink moved files: find missing referenced files in a folder the user names and point at them.

For the missing *references* a check found (`location_check.LocationProblem.relinkable`):

1. the folder is walked one directory per worker-thread call (cancellable between them); a file
   is a candidate only when its size is the size of a missing one;
2. candidates are hashed in the CPU pool, those named like a missing file first; a candidate is
   accepted only when its sha256 is the asset's (`ContentHashSHA256Component`), so a same-size
   file with other content is never linked;
3. accepted files replace the old paths (absolute and resolved, through `stored_paths.encode_db_path`),
   one transaction
   per batch; the relinked assets lose their missing-file mark.

A managed copy that is gone cannot be found this way (its content-addressed name is the library's
own); the report lists those apart. Importing the original again restores such a copy: the import
writes the bytes back into the store and clears the mark.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import stat
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dam_desktop.core.library import STORAGE_REFERENCE
from dam_desktop.core.world import World
from dam_desktop.models.files import ContentHashSHA256Component, FileLocationComponent, MissingFileComponent
from dam_desktop.services.ingest.import_worker import CancelToken
from dam_desktop.services.locations.location_check import LocationProblem, inspect_location
from dam_desktop.services.store.stored_paths import encode_db_path
from dam_desktop.utils.cpu_pool import cpu_worker_count, shared_cpu_pool
from dam_desktop.utils.media_utils import display_path

log = logging.getLogger(__name__)

# Relinked locations per database transaction.
BATCH_SIZE = 200
HASH_CHUNK = 1024 * 1024
PROGRESS_INTERVAL_S = 0.1

PHASE_LOOKING = "looking"  # walking the folder; total unknown
PHASE_COMPARING = "comparing"  # hashing candidates; done of total


@dataclass(frozen=True)
class RelinkProgress:
    phase: str
    done: int
    total: int
    current_path: str


@dataclass(frozen=True)
class Relinked:
    entity_id: int
    location_id: int
    file_name: str
    old_path: str  # display-safe
    new_path: str  # display-safe


@dataclass
class RelinkReport:
    folder: str
    relinked: list[Relinked] = field(default_factory=list)
    # Missing references for which the folder held no file with their content.
    not_found: list[LocationProblem] = field(default_factory=list)
    # Managed copies and changed files: a relink does not apply to them.
    not_relinkable: list[LocationProblem] = field(default_factory=list)
    # Files that were back at their old path by the time of the relink.
    back_in_place: list[LocationProblem] = field(default_factory=list)
    files_seen: int = 0
    candidates_compared: int = 0
    cancelled: bool = False

    @property
    def relinked_ids(self) -> list[int]:
        return sorted({r.entity_id for r in self.relinked})


# --- walking and hashing (worker threads) ----------------------------------------------------------


def _scan(folder: str, wanted_sizes: frozenset[int]) -> tuple[list[tuple[str, int]], list[str], int]:
    """(candidates (path, size), subfolders, files seen) of one folder; unreadable ones are empty."""
    candidates: list[tuple[str, int]] = []
    subfolders: list[str] = []
    seen = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return [], [], 0
    for entry in entries:
        try:
            # Folders reached through links are skipped: a link loop would never end.
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(entry.path)
                continue
            info = entry.stat()
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        seen += 1
        if info.st_size in wanted_sizes:
            candidates.append((entry.path, info.st_size))
    subfolders.sort()
    return candidates, subfolders, seen


def _sha256(path: str, tokens: Sequence[CancelToken]) -> bytes | None:
    """The file's sha256; None when it cannot be read or any of `tokens` says stop."""
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as handle:
            while chunk := handle.read(HASH_CHUNK):
                if any(token.cancelled for token in tokens):
                    return None
                digest.update(chunk)
    except OSError:
        return None
    return digest.digest()


# --- matching --------------------------------------------------------------------------------------


@dataclass
class _Wanted:
    """The missing references still looking for a file, by content."""

    by_sha: dict[bytes, list[LocationProblem]]
    sizes: frozenset[int]
    names: frozenset[tuple[int, str]]  # (size, file name) of each missing file

    def take(self, sha: bytes, found: str) -> LocationProblem | None:
        """The missing location `found` (with this content) stands for, preferring the same name."""
        queue = self.by_sha.get(sha)
        if not queue:
            return None
        name = Path(found).name
        pick = next((p for p in queue if Path(p.path).name == name), queue[0])
        queue.remove(pick)
        if not queue:
            del self.by_sha[sha]
        return pick

    @property
    def done(self) -> bool:
        return not self.by_sha


async def _hashes(session: AsyncSession, entity_ids: Iterable[int]) -> dict[int, bytes]:
    rows = await session.execute(
        select(ContentHashSHA256Component.entity_id, ContentHashSHA256Component.hash_value).where(
            ContentHashSHA256Component.entity_id.in_(list(set(entity_ids)))
        )
    )
    return {int(eid): bytes(value) for eid, value in rows}


async def _apply(session: AsyncSession, matches: Sequence[tuple[LocationProblem, str]]) -> list[Relinked]:
    """Point each missing location at its found file, in one transaction (commits)."""
    ids = list({problem.entity_id for problem, _ in matches})
    rows = await session.execute(
        select(FileLocationComponent.entity_id, FileLocationComponent.path).where(
            FileLocationComponent.entity_id.in_(ids),
            FileLocationComponent.storage_type == STORAGE_REFERENCE,
        )
    )
    known = {(int(eid), path) for eid, path in rows}
    done: list[Relinked] = []
    for problem, found in matches:
        # Absolute and resolved: a relative or linked path would name another file (or none) when
        # seen from another working folder.
        stored = encode_db_path(os.path.realpath(found))
        location = FileLocationComponent
        unchanged = (location.id == problem.location_id, location.path == problem.stored_path)
        if (problem.entity_id, stored) in known:
            # The asset already knows the file at its new place (imported there again): the
            # stale location is only a duplicate of it.
            result = await session.execute(
                delete(location).where(
                    location.id == problem.location_id, location.path == problem.stored_path
                )
            )
        else:
            result = await session.execute(update(location).where(*unchanged).values(path=stored))
        # No row: the location changed or went since the check; it is left as it now is.
        if cast(CursorResult[Any], result).rowcount:
            known.add((problem.entity_id, stored))
            done.append(
                Relinked(
                    problem.entity_id,
                    problem.location_id,
                    problem.file_name,
                    problem.path,
                    display_path(found),
                )
            )
    if done:
        await session.execute(
            delete(MissingFileComponent).where(
                MissingFileComponent.entity_id.in_(list({r.entity_id for r in done}))
            )
        )
    await session.commit()
    return done


class _Relink:
    def __init__(
        self,
        world: World,
        report: RelinkReport,
        cancel: CancelToken,
        on_progress: Callable[[RelinkProgress], None] | None,
    ) -> None:
        self.world = world
        self.report = report
        self.cancel = cancel
        self.on_progress = on_progress
        self.last_emit = 0.0

    def emit(self, progress: RelinkProgress, *, force: bool = False) -> None:
        if self.on_progress is None:
            return
        now = time.monotonic()
        if not force and now - self.last_emit < PROGRESS_INTERVAL_S:
            return
        self.last_emit = now
        try:
            self.on_progress(progress)
        except Exception:  # a broken progress display must not break the relink
            log.exception("relink progress callback failed")

    async def walk(self, folder: Path, sizes: frozenset[int]) -> list[tuple[str, int]]:
        skip = {os.path.normcase(os.fspath(self.world.paths.root))}
        pending = [os.fspath(folder)]
        candidates: list[tuple[str, int]] = []
        while pending and not self.cancel.cancelled:
            current = pending.pop()
            if os.path.normcase(current) in skip:
                continue
            found, subfolders, seen = await asyncio.to_thread(_scan, current, sizes)
            candidates.extend(found)
            self.report.files_seen += seen
            pending.extend(reversed(subfolders))
            self.emit(RelinkProgress(PHASE_LOOKING, self.report.files_seen, 0, display_path(current)))
        return candidates

    async def compare(
        self, candidates: list[tuple[str, int]], wanted: _Wanted
    ) -> list[tuple[LocationProblem, str]]:
        """Hash candidates (a bounded window in the CPU pool) until every missing file is found."""
        loop = asyncio.get_running_loop()
        executor: Executor = shared_cpu_pool()
        window = max(2, cpu_worker_count())
        # Files named like a missing one first: with copies about, the same name is the better pick.
        candidates.sort(key=lambda c: (c[1], Path(c[0]).name) not in wanted.names)
        queue = iter(candidates)
        matches: list[tuple[LocationProblem, str]] = []
        in_flight: dict[asyncio.Future[bytes | None], str] = {}
        total = len(candidates)
        # Set once nothing more is wanted, so hashes still running stop reading.
        stop = CancelToken()
        tokens = (self.cancel, stop)
        try:
            while not self.cancel.cancelled and not wanted.done:
                while len(in_flight) < window and (item := next(queue, None)) is not None:
                    in_flight[loop.run_in_executor(executor, _sha256, item[0], tokens)] = item[0]
                if not in_flight:
                    break
                finished, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                for future in finished:
                    path = in_flight.pop(future)
                    self.report.candidates_compared += 1
                    sha = future.result()
                    picked = wanted.take(sha, path) if sha is not None else None
                    if picked is not None:
                        matches.append((picked, path))
                self.emit(
                    RelinkProgress(
                        PHASE_COMPARING, self.report.candidates_compared, total, display_path(path)
                    )
                )
        finally:
            if in_flight:  # never return while a worker still reads; told to stop, they stop at once
                stop.cancel()
                await asyncio.wait(in_flight)
        return matches

    async def save(self, matches: Sequence[tuple[LocationProblem, str]]) -> None:
        for start in range(0, len(matches), BATCH_SIZE):
            async with self.world.session() as session:
                self.report.relinked.extend(await _apply(session, matches[start : start + BATCH_SIZE]))


async def relink_from_folder(
    world: World,
    folder: str | os.PathLike[str],
    problems: Sequence[LocationProblem],
    *,
    on_progress: Callable[[RelinkProgress], None] | None = None,
    cancel: CancelToken | None = None,
) -> RelinkReport:
    """Look in `folder` (recursively) for the missing referenced files among `problems`.

    Runs on the world's loop; `on_progress` is called on that loop's thread. `cancel` stops the
    walk or the comparing; files already matched are still linked, so nothing verified is lost.
    """
    cancel = cancel or CancelToken()
    root = Path(folder).expanduser().resolve()
    report = RelinkReport(folder=display_path(str(root)))
    report.not_relinkable = [p for p in problems if not p.relinkable]
    candidates_for = [p for p in problems if p.relinkable]
    run = _Relink(world, report, cancel, on_progress)
    run.emit(RelinkProgress(PHASE_LOOKING, 0, 0, report.folder), force=True)

    def still_missing(problem: LocationProblem) -> bool:
        found = inspect_location(
            world.paths, problem.storage_type, problem.stored_path, problem.expected_size
        )
        return found is not None

    # A file may have come back (a drive plugged in again) since the check.
    missing_now = await asyncio.to_thread(lambda: [still_missing(p) for p in candidates_for])
    report.back_in_place = [p for p, gone in zip(candidates_for, missing_now, strict=True) if not gone]
    looking = [p for p, gone in zip(candidates_for, missing_now, strict=True) if gone]
    async with world.session() as session:
        hashes = await _hashes(session, (p.entity_id for p in looking))
    by_sha: dict[bytes, list[LocationProblem]] = {}
    for problem in looking:
        if problem.entity_id in hashes:
            by_sha.setdefault(hashes[problem.entity_id], []).append(problem)
    wanted = _Wanted(
        by_sha,
        frozenset(p.expected_size for p in looking),
        frozenset((p.expected_size, Path(p.path).name) for p in looking),
    )
    matches: list[tuple[LocationProblem, str]] = []
    if wanted.by_sha and root.is_dir():
        candidates = await run.walk(root, wanted.sizes)
        matches = await run.compare(candidates, wanted)
        # Hashes finish in any order; the report lists assets in id order, as the check does.
        matches.sort(key=lambda match: (match[0].entity_id, match[0].location_id))
        await run.save(matches)
    linked = {r.location_id for r in report.relinked}
    report.not_found = [p for p in looking if p.location_id not in linked]
    report.cancelled = cancel.cancelled
    run.emit(
        RelinkProgress(PHASE_COMPARING, report.candidates_compared, report.candidates_compared, ""),
        force=True,
    )
    return report
