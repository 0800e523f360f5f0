"""Import files and folders into a library: the one service the window and the CLI both call.

How an import runs (`import_paths`, on the world's event loop):

1. **Walk** (`import_walk`, in a thread): the dropped paths become a list of files; hidden and
   system files inside folders are left out by `ImportRules`; link loops are cut.
2. **Per file, in the CPU pool** (`import_worker.process_file`): the file is read once; its sha256,
   type (sniffed from content), properties, perceptual hash and thumbnail come from those bytes,
   and in copy mode the same bytes go to the store (temp name, fsync, rename). At most a small
   window of files is in flight, so memory stays flat however many files there are.
3. **Batched writes** (`import_batch.write_batch`, on the loop): finished files are written in one
   transaction per batch: entities, components, locations, and the markers later stages drain. A
   file whose hash is already known adds a location to the existing asset instead (dedupe), so
   importing the same folder twice adds nothing. One batch is written at a time, while the
   workers go on with the next files.

Thumbnails: the import makes them from the pixels it already decoded, which is what keeps an
import to one read per file. Only a file whose thumbnail could not be written then gets a
`NeedsThumbnailMarker`; `systems.thumbnail_system` drains that marker in the CPU pool, re-reading
the stored file (an import that marked some runs the thumbnail stage before it returns), and does
the same for any asset marked later to regenerate its thumbnail.
Properties come from the same single read, so `NeedsMetadataMarker` is not used by imports.

Crash safety: store files are renamed into place before the rows that name them are committed,
and thumbnails before their assets are reported, so a killed import leaves at most unreferenced
files (reused by the next import) and temp files (removed on the next open). Re-running the same
import finishes the rest, because already-stored files dedupe.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from dam_desktop.core.errors import DiskFullError, LibraryWriteError
from dam_desktop.core.events import WorldChanged
from dam_desktop.core.library import LibraryPaths
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.services.browse.asset_summary import (
    AssetLocation,
    AssetSummary,
    read_asset_summaries,
    thumbnail_paths_for,
)
from dam_desktop.services.ingest.import_batch import commit_lock, damaged_copies, write_batch
from dam_desktop.services.ingest.import_report import ImportFailure, ImportProgress, ImportReport
from dam_desktop.services.ingest.import_space import space_needed
from dam_desktop.services.ingest.import_walk import DEFAULT_SKIP_PATTERNS, ImportRules, walk_paths
from dam_desktop.services.ingest.import_worker import (
    CancelToken,
    ImportMode,
    ProcessedFile,
    RejectedFile,
    WorkerContext,
    process_file,
)
from dam_desktop.services.store import publish_journal
from dam_desktop.services.store.storage import discard_staged, publish_staged
from dam_desktop.services.store.write_errors import free_bytes, library_write_error, megabytes
from dam_desktop.utils.cpu_pool import cpu_worker_count, shared_cpu_pool
from dam_desktop.utils.media_utils import display_path

__all__ = [
    "DEFAULT_SKIP_PATTERNS",
    "AssetLocation",
    "AssetSummary",
    "CancelToken",
    "ImportFailure",
    "ImportMode",
    "ImportProgress",
    "ImportReport",
    "ImportRules",
    "import_paths",
    "read_asset_summaries",
    "thumbnail_paths_for",
    "write_batch",
]

log = logging.getLogger(__name__)

# Files per database transaction.
BATCH_SIZE = 64
# A batch is also written once its oldest file has waited this long, so new tiles appear quickly.
BATCH_MAX_WAIT_S = 0.5
# on_progress is called at least this often while files finish (and after every batch).
PROGRESS_INTERVAL_S = 0.1
# Finished files may wait for this many batches while the previous one is written; then no new
# file is started until it is.
WAITING_BATCHES = 1
# Files in flight per worker thread: enough to keep the pool busy, few enough to keep memory flat.
IN_FLIGHT_PER_WORKER = 2


class _ImportRun:
    def __init__(
        self,
        world: World,
        mode: ImportMode,
        cancel: CancelToken,
        on_progress: Callable[[ImportProgress], None] | None,
        report: ImportReport,
        any_file: bool = False,
    ) -> None:
        self.world = world
        self.mode = mode
        self.any_file = any_file
        self.cancel = cancel
        self.on_progress = on_progress
        self.report = report
        self.done = 0
        self.current_path = ""
        self.batch: list[ProcessedFile] = []
        self.batch_started = 0.0
        self.unreported_ids: list[int] = []
        self.last_progress = 0.0
        # Walk position of each file: a batch is written in this order, so new assets get ids in
        # the order a person sees the files (by folder, by name), whichever worker finished first.
        self.order: dict[str, int] = {}
        # Set when the library cannot be written: no further file is started.
        self.stop: LibraryWriteError | None = None
        # Hashes (hex) of stored copies a verify found damaged (copy mode): re-stored, not deduped.
        self.damaged: frozenset[str] = frozenset()

    def emit(self, *, force: bool = False) -> None:
        if self.on_progress is None:
            return
        now = time.monotonic()
        if not force and not self.unreported_ids and now - self.last_progress < PROGRESS_INTERVAL_S:
            return
        self.last_progress = now
        ids, self.unreported_ids = self.unreported_ids, []
        progress = ImportProgress(self.done, self.report.total_files, self.current_path, ids)
        try:
            self.on_progress(progress)
        except Exception:  # a broken progress display must not break the import
            log.exception("import progress callback failed")

    def accept(self, result: ProcessedFile | RejectedFile | None) -> None:
        if result is None:  # cancelled before it started
            return
        self.done += 1
        if isinstance(result, RejectedFile):
            entry = ImportFailure(result.path, result.reason)
            (self.report.skipped if result.unsupported else self.report.failed).append(entry)
            if result.write_failure is not None and self.stop is None:
                root, cause = self.world.paths.root, result.write_failure
                self.stop = library_write_error(cause, root) or LibraryWriteError(
                    f"cannot write into the library ({root}): {cause.strerror or cause}"
                )
            return
        if not self.batch:
            self.batch_started = time.monotonic()
        self.batch.append(result)

    def batch_due(self) -> bool:
        return len(self.batch) >= BATCH_SIZE or (
            bool(self.batch) and time.monotonic() - self.batch_started >= BATCH_MAX_WAIT_S
        )

    def take_batch(self) -> list[ProcessedFile]:
        batch, self.batch = sorted(self.batch, key=lambda f: self.order.get(f.source, 0)), []
        return batch

    async def flush(self, batch: list[ProcessedFile]) -> None:
        if not batch:
            return
        # Publish and commit under one lock: the journal then speaks for one batch at a time.
        async with commit_lock(self.world):
            batch, placed, repaired = await self._publish(batch)
            try:
                async with self.world.session() as session:
                    outcome = await write_batch(session, batch, self.mode, repaired)
                    await session.commit()
            except BaseException as exc:
                # Classified first: taking the copies back frees the space that says "full".
                failure = library_write_error(exc, self.world.paths.root)
                # The rows are not there: neither must the copies only they would have named be.
                await asyncio.to_thread(_take_back, self.world.paths, placed)
                if failure is None:
                    raise
                self._not_imported(batch, failure)
                raise failure from exc
            await asyncio.to_thread(publish_journal.end, self.world.paths)
        if outcome.new_ids:
            self.world.notify_changed(WorldChanged.of(outcome.new_ids, "asset", added=True))
        if outcome.repaired:
            self.world.notify_changed(WorldChanged.of(outcome.repaired, "file"))
        self.report.imported.extend(outcome.new_ids)
        self.report.duplicates += outcome.duplicates
        self.report.repaired.extend(outcome.repaired)
        self.report.skipped.extend(outcome.skipped)
        self.report.thumbnails_pending.extend(outcome.thumbnails_pending)
        self.unreported_ids.extend(outcome.new_ids)

    def _not_imported(self, files: list[ProcessedFile], failure: LibraryWriteError) -> None:
        self.report.failed.extend(
            ImportFailure(display_path(f.source), f"not imported: {failure}") for f in files
        )

    async def _publish(
        self, batch: list[ProcessedFile]
    ) -> tuple[list[ProcessedFile], list[Path], set[bytes]]:
        """Rename the batch's staged copies into the store: (files still to write, copies placed,
        hashes whose damaged copy was replaced)."""
        staged = [(f.staged, f.sha256_hex) for f in batch if f.staged is not None]
        if not staged:
            return batch, [], set()
        paths = self.world.paths
        try:
            await asyncio.to_thread(publish_journal.begin, paths, [sha for _, sha in staged])
        except OSError as exc:
            discard_staged([tmp for tmp, _ in staged])
            failure = library_write_error(exc, paths.root)
            if failure is None:
                raise
            self._not_imported(batch, failure)
            raise failure from exc
        published = await asyncio.to_thread(publish_staged, paths, staged, self.damaged)
        repaired = {bytes.fromhex(sha) for sha in published.replaced}
        if not published.errors:
            return batch, published.placed, repaired
        write_failure: LibraryWriteError | None = None
        for file in batch:
            error = published.errors.get(file.staged) if file.staged is not None else None
            if error is None:
                continue
            write_failure = write_failure or library_write_error(error, paths.root)
            reason = f"could not store the file in the library: {error.strerror or error}"
            self.report.failed.append(ImportFailure(display_path(file.source), reason))
        if write_failure is not None:
            # The disk is full: the rest of the batch would not commit either.
            await asyncio.to_thread(_take_back, paths, published.placed)
            self._not_imported([f for f in batch if f.staged not in published.errors], write_failure)
            raise write_failure
        return [f for f in batch if f.staged not in published.errors], published.placed, repaired

    async def check_free_space(self, upcoming: list[str]) -> None:
        """Stop before a batch the library's disk has no room for, rather than in the middle of it."""
        needed = await asyncio.to_thread(space_needed, upcoming, self.mode)
        free = await asyncio.to_thread(free_bytes, self.world.paths.root)
        if free is not None and free < needed:
            self.stop = DiskFullError(
                f"not enough free space for the next {len(upcoming)} files on the disk holding the library "
                f"({self.world.paths.root}): {megabytes(free)} free, about {megabytes(needed)} needed; "
                "free some space, then import again (files already imported are kept)"
            )

    async def run(self, files: list[str], executor: Executor, window: int) -> None:
        loop = asyncio.get_running_loop()
        if self.mode == "copy":
            async with self.world.session() as session:
                self.damaged = await damaged_copies(session)
        ctx = WorkerContext(self.world.paths, self.mode, self.cancel, self.damaged, self.any_file)
        self.order = {path: index for index, path in enumerate(files)}
        queue = iter(files)
        dispatched = 0
        in_flight: set[asyncio.Future[ProcessedFile | RejectedFile | None]] = set()
        # The batch being published and committed: the workers go on meanwhile (its fsyncs and
        # its transaction left them idle for a fifth of a small-file import).
        flushing: asyncio.Task[None] | None = None
        stopped_by: LibraryWriteError | None = None
        try:
            while True:
                while (
                    len(in_flight) < window
                    and len(self.batch) < WAITING_BATCHES * BATCH_SIZE
                    and not self.cancel.cancelled
                    and self.stop is None
                ):
                    path = next(queue, None)
                    if path is None:
                        break
                    if dispatched % BATCH_SIZE == 0:
                        await self.check_free_space(files[dispatched : dispatched + BATCH_SIZE])
                        if self.stop is not None:
                            break
                    dispatched += 1
                    in_flight.add(loop.run_in_executor(executor, process_file, path, ctx))
                    self.current_path = display_path(path)
                if not in_flight and flushing is None:
                    break
                waiting: list[asyncio.Future[Any]] = [*in_flight, *([flushing] if flushing else [])]
                finished, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                if flushing is not None and flushing in finished:
                    written, flushing = flushing, None
                    written.result()  # a batch that could not be written stops the import
                for future in in_flight & finished:
                    self.accept(future.result())
                in_flight -= finished
                if flushing is None and self.batch_due():
                    flushing = asyncio.ensure_future(self.flush(self.take_batch()))
                self.emit()
            await self.flush(self.take_batch())
            if self.stop is not None:
                raise self.stop
        except LibraryWriteError as exc:
            stopped_by = exc
            raise
        finally:
            if flushing is not None:
                if not flushing.done():
                    flushing.cancel()
                await asyncio.wait([flushing])
                if not flushing.cancelled():
                    flushing.exception()  # raised above, or superseded by what is raising now
            if in_flight:
                # Never return while a worker may still write into the library.
                await asyncio.wait(in_flight)
                for future in in_flight:
                    if not future.cancelled() and future.exception() is None:
                        self.accept(future.result())
            # Left only when the import itself failed: their files are not in the store yet.
            if stopped_by is not None:
                self._not_imported(self.batch, stopped_by)
            discard_staged([f.staged for f in self.batch if f.staged is not None])
            self.batch = []
        self.emit(force=True)


async def import_paths(
    world: World,
    paths: Sequence[str | Path],
    *,
    mode: ImportMode = "copy",
    rules: ImportRules | None = None,
    on_progress: Callable[[ImportProgress], None] | None = None,
    cancel: CancelToken | None = None,
    workers: int | None = None,
) -> ImportReport:
    """Import files and folders (recursively) into `world`; returns what happened to each file.

    Runs on the world's event loop; `on_progress` is called on that loop's thread, first once the
    files are counted (done=0) and then regularly. `cancel` stops it promptly: files in flight
    finish and are written, the rest are not started, and the report says `cancelled`. `workers`
    gives the import its own pool of that many threads instead of the shared CPU pool.
    """
    if mode not in ("copy", "reference"):
        raise ValueError(f"unknown import mode {mode!r}; use 'copy' or 'reference'")
    rules = rules or ImportRules()
    cancel = cancel or CancelToken()
    report = ImportReport()

    def is_cancelled() -> bool:
        return cancel.cancelled

    walked = await asyncio.to_thread(walk_paths, list(paths), rules, is_cancelled, [world.paths.root])
    report.failed.extend(ImportFailure(path, reason) for path, reason in walked.failures)
    report.ignored = walked.ignored
    # Files the walk could not even look at are files of this import too: "failed: 1 (of 0 files)"
    # read as a contradiction. They count as done from the start.
    report.total_files = len(walked.files) + len(walked.failures)

    run = _ImportRun(world, mode, cancel, on_progress, report, rules.any_file)
    run.done = len(walked.failures)
    run.emit(force=True)
    own_pool = ThreadPoolExecutor(workers, thread_name_prefix="dam-import") if workers else None
    executor: Executor = own_pool or shared_cpu_pool()
    window = max(2, (workers or cpu_worker_count()) * IN_FLIGHT_PER_WORKER)
    try:
        if not cancel.cancelled:
            await run.run(walked.files, executor, window)
    except LibraryWriteError as exc:
        report.stopped = str(exc)
    finally:
        if own_pool is not None:
            own_pool.shutdown(wait=False)
    report.cancelled = cancel.cancelled and (run.done < report.total_files or not walked.files)
    if report.thumbnails_pending and not report.cancelled:
        await _make_pending_thumbnails(world)
    return report


def _take_back(paths: LibraryPaths, placed: list[Path]) -> None:
    """Remove copies a failed batch put into the store; the journal stays if one cannot go."""
    for copy in placed:
        try:
            copy.unlink(missing_ok=True)
        except OSError:
            log.exception("could not remove %s after a failed import batch", copy)
            return
    publish_journal.end(paths)


async def _make_pending_thumbnails(world: World) -> None:
    """Give the thumbnail stage its turn now, so an import ends with every thumbnail it can make."""
    try:
        await world.execute_stage(SystemStage.THUMBNAIL_GENERATION)
    except Exception:  # the assets are imported; their markers keep the work for the next run
        log.exception("thumbnail stage failed after an import")
