"""The per-file work of an import, run in a worker thread: one read, then everything from those bytes.

A file up to `IN_MEMORY_LIMIT` is read once into memory; its sha256, its type (sniffed from the
first bytes), its properties, its perceptual hash and its thumbnail all come from that buffer, and
in copy mode the same buffer is written to the store. A bigger file is streamed once through the
hash and into the store's temp file, and decoded from that copy (or, in reference mode, from the
original), so memory stays bounded whatever the file size.

Nothing here touches the database: the result goes back to the event loop, which writes it in a
batch. Every way a file can be bad becomes a `RejectedFile` with a reason; only cancellation
returns None.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import logging
import os
import stat
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO, Literal

from dam_desktop.core.cancel import CancelToken as CancelToken
from dam_desktop.core.library import LibraryPaths
from dam_desktop.services.media.media_facts import (
    AudioFacts,
    DocumentFacts,
    ImageFacts,
    MediaError,
    Probe,
    VideoFacts,
)
from dam_desktop.services.media.media_probe import probe_media
from dam_desktop.services.media.thumbnails import save_thumbnail
from dam_desktop.services.media.xmp import EMBEDDED_SCAN_BYTES, XmpFacts, embedded_xmp, sidecar_xmp
from dam_desktop.services.store import storage
from dam_desktop.services.store.write_errors import is_library_write_errno
from dam_desktop.utils.media_utils import (
    MEDIA_EXTENSIONS,
    SNIFF_BYTES,
    MediaFormat,
    describe_unsupported,
    display_path,
    file_extension,
    format_for_extension,
    generic_format,
    sniff_media,
)
from dam_desktop.utils.native_messages import file_messages, summary
from dam_desktop.utils.native_messages import log as native_log

log = logging.getLogger(__name__)

ImportMode = Literal["copy", "reference"]

# Files up to this size are read into memory once; bigger ones are streamed. With a few files in
# flight per thread, this bounds the import's memory however big the files are.
IN_MEMORY_LIMIT = 32 * 1024 * 1024


@dataclass(frozen=True)
class ProcessedFile:
    source: str  # the OS path it was read from (surrogate-escaped str)
    sha256: bytes
    size: int
    fmt: MediaFormat
    original_filename: str  # display-safe
    file_extension: str
    image: ImageFacts | None
    audio: AudioFacts | None
    video: VideoFacts | None
    document: DocumentFacts | None
    phash: int | None
    dhash: int | None
    thumbnail_error: str | None  # None when the thumbnail file is in place
    xmp: XmpFacts = field(default_factory=XmpFacts)  # keywords, rating, label: its XMP and sidecar
    # Copy mode: the copy waiting in tmp/ for the batch to publish it (None: the store has it).
    staged: Path | None = None

    @property
    def sha256_hex(self) -> str:
        return self.sha256.hex()


@dataclass(frozen=True)
class RejectedFile:
    path: str  # display-safe
    reason: str
    unsupported: bool = False  # a kind of file the library does not hold, rather than a bad one
    # Set when writing into the library failed (a full disk, a read-only folder): the import stops.
    write_failure: OSError | None = None


@dataclass(frozen=True)
class WorkerContext:
    paths: LibraryPaths
    mode: ImportMode
    cancel: CancelToken
    # Hashes (hex) whose stored copy a verify found damaged: their bytes are stored again.
    damaged: frozenset[str] = frozenset()
    # Import what no decoder recognises as a generic asset (Preferences, `import --any-file`).
    any_file: bool = False


class _WriteFailure(Exception):
    """Writing into the library (not reading the user's file) failed."""

    def __init__(self, cause: OSError) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _stage(ctx: WorkerContext, sha_hex: str, data: bytes) -> Path | None:
    try:
        return storage.stage_bytes(ctx.paths, sha_hex, data, replace=sha_hex in ctx.damaged)
    except OSError as exc:
        raise _WriteFailure(exc) from exc


class _Reject(Exception):
    def __init__(self, reason: str, *, unsupported: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unsupported = unsupported


def _write_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno == errno.EROFS:
        return "the disk is read-only"
    return exc.strerror or str(exc)


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "the file disappeared before it could be read (deleted or moved during the import)"
    if isinstance(exc, PermissionError):
        return "permission denied: the file cannot be read"
    if isinstance(exc, IsADirectoryError):
        return "is a folder, not a file"
    if exc.errno == errno.ENOSPC:
        return "the library's disk is full"
    return f"cannot read the file: {exc.strerror or exc}"


def _classify(head: bytes, path: str, any_file: bool = False) -> MediaFormat:
    fmt = sniff_media(head, path)
    if fmt is not None:
        return fmt
    ext = file_extension(path)
    if ext in MEDIA_EXTENSIONS:
        claimed = format_for_extension(ext)
        name = claimed.name if claimed else ext.upper()
        raise _Reject(f"not a valid {name}: the content is not a recognised format of that kind")
    if any_file:
        return generic_format(path)
    what = describe_unsupported(head)
    if what:
        raise _Reject(f"unsupported file type: {what}", unsupported=True)
    label = f".{ext} file" if ext else "file without an extension"
    raise _Reject(
        f"unsupported file type: this {label} is not an image, sound, video, PDF or font", unsupported=True
    )


def process_file(path: str, ctx: WorkerContext) -> ProcessedFile | RejectedFile | None:
    """Hash, identify, probe, store (copy mode) and thumbnail one file. What its decoders say on
    the way ends a rejected file's reason, or goes to the debug log; never to the terminal."""
    if ctx.cancel.cancelled:
        return None
    with file_messages() as notes:
        result = _process_file(path, ctx)
    if not notes:
        return result
    if isinstance(result, RejectedFile):
        return replace(result, reason=f"{result.reason.rstrip('.')} ({summary(notes)})")
    # It imported: what was said (a malformed tag, a palette converted) is for the debug log.
    native_log.debug("%s: %s", display_path(path), summary(notes))
    return result


def _process_file(path: str, ctx: WorkerContext) -> ProcessedFile | RejectedFile:
    try:
        return _process(path, ctx)
    except _Reject as exc:
        return RejectedFile(display_path(path), exc.reason, unsupported=exc.unsupported)
    except MediaError as exc:
        return RejectedFile(display_path(path), str(exc))
    except _WriteFailure as exc:
        reason = f"could not write into the library: {_write_reason(exc.cause)}"
        return RejectedFile(display_path(path), reason, write_failure=exc.cause)
    except OSError as exc:
        return RejectedFile(display_path(path), _os_reason(exc))
    except Exception as exc:  # a bug or an exotic decoder error costs one file, never the import
        log.exception("import of %s failed", display_path(path))
        return RejectedFile(display_path(path), f"unexpected error: {type(exc).__name__}: {exc}")


def _probe(source: BinaryIO | Path, fmt: MediaFormat) -> Probe | None:
    """None for a generic file (no decoder: the window shows its type's icon)."""
    return None if fmt.decoder == "none" else probe_media(source, fmt)


def _open_regular(path: str) -> tuple[BinaryIO, os.stat_result]:
    # O_NONBLOCK: a file swapped for a FIFO since the walk must not hang the import.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise _Reject("not a regular file")
    return os.fdopen(fd, "rb"), info


def _process(path: str, ctx: WorkerContext) -> ProcessedFile:
    handle, info = _open_regular(path)
    with handle:
        if info.st_size == 0:
            raise _Reject("empty file (0 bytes)")
        if info.st_size <= IN_MEMORY_LIMIT:
            data = handle.read()
            if not data:
                raise _Reject("empty file (0 bytes)")
            sha = hashlib.sha256(data).digest()
            fmt = _classify(data[:SNIFF_BYTES], path, ctx.any_file)
            probe = _probe(io.BytesIO(data), fmt)
            staged = _stage(ctx, sha.hex(), data) if ctx.mode == "copy" else None
            size = len(data)
            embedded = embedded_xmp(data)
        else:
            sha, size, fmt, probe, staged = _process_streamed(handle, path, ctx)
            handle.seek(0)
            embedded = embedded_xmp(handle.read(EMBEDDED_SCAN_BYTES))
    try:
        return _finish(path, ctx, sha, size, fmt, probe, staged, sidecar_xmp(path).merged(embedded))
    except BaseException:
        if staged is not None:
            staged.unlink(missing_ok=True)
        raise


def _process_streamed(
    handle: BinaryIO, path: str, ctx: WorkerContext
) -> tuple[bytes, int, MediaFormat, Probe | None, Path | None]:
    hasher = hashlib.sha256()
    size = 0
    head = b""
    staged = ctx.paths.tmp_dir / uuid.uuid4().hex if ctx.mode == "copy" else None
    try:
        with staged.open("xb") if staged is not None else contextlib.nullcontext() as out:
            while chunk := handle.read(storage.COPY_CHUNK):
                if not head:
                    head = chunk[:SNIFF_BYTES]
                hasher.update(chunk)
                size += len(chunk)
                if out is not None:
                    try:
                        out.write(chunk)
                    except OSError as exc:
                        raise _WriteFailure(exc) from exc
        fmt = _classify(head, path, ctx.any_file)
        sha = hasher.digest()
        probe = _probe(staged if staged is not None else Path(path), fmt)
        stored = ctx.paths.stored_file_path(sha.hex())
        if staged is not None and sha.hex() not in ctx.damaged and stored.is_file():
            staged.unlink()
            staged = None
    except BaseException:
        if staged is not None:
            staged.unlink(missing_ok=True)
        raise
    return sha, size, fmt, probe, staged


def _finish(
    path: str,
    ctx: WorkerContext,
    sha: bytes,
    size: int,
    fmt: MediaFormat,
    probe: Probe | None,
    staged: Path | None,
    xmp: XmpFacts,
) -> ProcessedFile:
    sha_hex = sha.hex()
    thumbnail_error: str | None = None
    if probe is not None and not ctx.paths.thumbnail_path(sha_hex).is_file():
        try:
            save_thumbnail(ctx.paths, sha_hex, probe.thumbnail, replace=False)
        except OSError as exc:
            if is_library_write_errno(exc.errno):
                raise _WriteFailure(exc) from exc  # the disk is full: not this file's fault
            thumbnail_error = f"could not write the thumbnail: {exc.strerror or exc}"
    name = Path(path).name
    fmt = (probe.format if probe is not None else None) or fmt
    return ProcessedFile(
        source=path,
        sha256=sha,
        size=size,
        fmt=fmt,
        original_filename=display_path(name),
        file_extension=fmt.extension_for(name),
        image=probe.image if probe is not None else None,
        audio=probe.audio if probe is not None else None,
        video=probe.video if probe is not None else None,
        document=probe.document if probe is not None else None,
        phash=probe.phash if probe is not None else None,
        dhash=probe.dhash if probe is not None else None,
        thumbnail_error=thumbnail_error,
        staged=staged,
        xmp=xmp,
    )
