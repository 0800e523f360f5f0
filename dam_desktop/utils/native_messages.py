"""What decoders say while they read one file, kept with that file instead of printed on the terminal.

Three kinds of message, three ways in, all to the thread that is reading the file:

- Python warnings (Pillow's "Metadata Warning, tag 296 had too many entries", "Truncated File
  Read"): a `warnings.showwarning` hook hands a warning raised while a thread collects (inside
  `file_messages`) to that thread's notes; one from a decoder library outside, to the debug log.
- libtiff's warnings and errors ("TIFFFetchNormalTag: Incorrect count for ..."): libtiff's own
  handlers, set through ctypes on the libtiff that Pillow loaded; they run on the calling thread.
- What a library only prints on file descriptor 2, with no hook: libmpg123 inside libsndfile
  ("Note: Trying to resync..."). `stderr_section` points descriptor 2 at a temporary file for the
  duration of the call, one section at a time (a lock), and reads it back. Anything the process's
  other threads write to descriptor 2 meanwhile lands in that file's notes rather than on the
  terminal; a CLI progress redraw lost that way is redrawn a tenth of a second later.

- FFmpeg's log is off (utils.av_waveform.quiet_ffmpeg) except inside `ffmpeg_section`, while one
  file is probed: then FFmpeg's own C callback prints its warnings and errors on descriptor 2,
  inside a `stderr_section`. PyAV's Python callback is never used: it needs the GIL on FFmpeg's
  decoding threads, and an import of two clips deadlocked with it in 2 of 6 runs.

A note outside any file goes to the `dam_desktop.native` logger at DEBUG.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import logging
import os
import re
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

log = logging.getLogger("dam_desktop.native")

MAX_NOTES = 8  # a file that says more has said enough: the rest goes to the debug log
MAX_NOTE_CHARS = 300
DECODER_MODULES = r"(PIL|av|soundfile|rawpy|pypdfium2|pillow_heif|mutagen|fontTools)(\.|$)"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]|\x1b\[[0-9;]*[A-Za-z]")
# libmpg123's decoration: "[src/libmpg123/parse.c:wetwork():1349] error: ... (maybe increasing ...)"
_NOISE = re.compile(r"^\[[^\]]*\]\s*|^(note|error|warning):\s*|\s*\(maybe [^)]*\)\s*$|\.+$", re.IGNORECASE)

_local = threading.local()
_install_lock = threading.Lock()
_section_lock = threading.Lock()
_installed = False
_keep: list[Any] = []  # the ctypes callbacks libtiff holds: they must outlive every call


def note(text: str, source: str = "") -> None:
    """Give one message to the file the current thread is reading (the debug log when none)."""
    cleaned = _CONTROL.sub("", text).strip()
    for _ in range(3):  # the decorations nest: a location, then a level, then a hint
        cleaned = _NOISE.sub("", cleaned).strip()
    if not cleaned:
        return
    if source and not cleaned.lower().startswith(source.lower()):
        cleaned = f"{source}: {cleaned}"
    cleaned = cleaned[:MAX_NOTE_CHARS]
    notes: list[str] | None = getattr(_local, "notes", None)
    if notes is None or len(notes) >= MAX_NOTES:
        log.debug("%s", cleaned)
    elif cleaned not in notes:
        notes.append(cleaned)


def summary(notes: list[str] | tuple[str, ...]) -> str:
    """The notes as one phrase, grouped by who said them: "libtiff: A; B. Pillow: C"."""
    by_source: dict[str, list[str]] = {}
    for text in notes:
        source, _, said = text.partition(": ")
        by_source.setdefault(source if said else "", []).append(said or text)
    return ". ".join(
        f"{source}: {'; '.join(said)}" if source else "; ".join(said) for source, said in by_source.items()
    )


@contextlib.contextmanager
def file_messages() -> Iterator[list[str]]:
    """Collect, into the list it yields, what decoders say while this thread reads one file."""
    install()
    notes: list[str] = []
    previous = getattr(_local, "notes", None)
    _local.notes = notes
    try:
        yield notes
    finally:
        _local.notes = previous


@contextlib.contextmanager
def stderr_section(source: str) -> Iterator[None]:
    """Run a call to a library that prints on descriptor 2 with no other way to hear it: what it
    prints becomes notes of the current file, attributed to `source` ("libmpg123")."""
    with _section_lock, tempfile.TemporaryFile() as sink:
        for stream in (sys.stderr, sys.__stderr__):
            with contextlib.suppress(Exception):
                if stream is not None:
                    stream.flush()
        saved = os.dup(2)
        try:
            os.dup2(sink.fileno(), 2)
            yield
        finally:  # a failed call's messages matter most: they say why it failed
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            for line in sink.read(64 * 1024).decode("utf-8", "replace").splitlines():
                note(line, source)


# libavutil's levels (libavutil/log.h). PyAV's `set_level` only picks its own callback and never
# calls av_log_set_level, so the level FFmpeg's default callback filters by is set here.
AV_LOG_QUIET = -8
AV_LOG_WARNING = 24
_NO_ARGS = ctypes.create_string_buffer(64)  # a va_list for a format with no conversions


@contextlib.contextmanager
def ffmpeg_section() -> Iterator[None]:
    """Run FFmpeg on one file, its warnings and errors ("moov atom not found") that file's notes.

    FFmpeg's default callback (C, no GIL, its own mutex) prints at WARNING on descriptor 2, which
    `stderr_section` points at a temporary file; before descriptor 2 is given back, the level goes
    to QUIET and PyAV's silent callback returns, and a call of the default callback under its mutex
    waits for a message another thread was printing meanwhile, so none reaches the terminal.
    Where libavutil cannot be found, FFmpeg stays silent and the file's reason is PyAV's exception."""
    libavutil = _libavutil() if not getattr(_local, "in_ffmpeg", False) else None
    if libavutil is None:
        yield
        return
    import av

    with stderr_section("FFmpeg"):
        _local.in_ffmpeg = True
        libavutil.av_log_set_level(AV_LOG_WARNING)
        av.logging.restore_default_callback()
        try:
            yield
        finally:
            libavutil.av_log_set_level(AV_LOG_QUIET)
            av.logging.set_level(None)  # PyAV's callback that says nothing: FFmpeg off again
            # Prints nothing at QUIET; it holds the default callback's mutex, so a message that was
            # being printed has been written (into this file's notes) when it returns.
            libavutil.av_log_default_callback(None, AV_LOG_QUIET, b"", ctypes.addressof(_NO_ARGS))
            _local.in_ffmpeg = False


@functools.cache
def _libavutil() -> ctypes.CDLL | None:
    """The libavutil PyAV loaded (its wheel bundles one), with the three calls used above."""
    try:
        import av

        path = _loaded_library("avutil", Path(av.__file__).resolve().parent)
        if path is None:
            return None
        library = ctypes.CDLL(str(path))
        library.av_log_set_level.argtypes, library.av_log_set_level.restype = [ctypes.c_int], None
        callback = library.av_log_default_callback
        callback.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p]
        callback.restype = None
        return library
    except (ImportError, OSError, AttributeError) as exc:
        log.debug("FFmpeg's messages stay off: %s", exc)
        return None


def _loaded_library(name: str, package: Path) -> Path | None:
    # The wheel's own copy first: Qt Multimedia may have loaded another libavutil in this process.
    for folder in (package.parent / f"{package.name}.libs", package / ".dylibs"):
        found = sorted(folder.glob(f"*{name}*")) if folder.is_dir() else []
        if found:
            return found[0]
    with contextlib.suppress(OSError):  # a distribution's PyAV links the system's FFmpeg
        for row in Path("/proc/self/maps").read_text().splitlines():
            if f"lib{name}" in row and "/" in row:
                return Path(row[row.index("/") :])
    return None


def write_outside_sections(stream: TextIO, text: str, wait: bool) -> bool:
    """Write a front end's own text (the CLI's progress line) on descriptor 2 only while no
    `stderr_section` holds it, so it is never taken for a file's note. Without `wait`, nothing is
    written (False) while a section is open: the next redraw comes soon."""
    if not _section_lock.acquire(blocking=wait):
        return False
    try:
        stream.write(text)
        stream.flush()
    finally:
        _section_lock.release()
    return True


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    if getattr(_local, "notes", None) is not None:
        note(f"{message}", _library_of(filename) or category.__name__)
    elif _library_of(filename):
        log.debug("%s:%s: %s: %s", filename, lineno, category.__name__, message)
    else:
        _previous_show_warning(message, category, filename, lineno, file, line)


_previous_show_warning = warnings.showwarning


def _library_of(filename: str) -> str:
    parts = Path(filename).parts
    for name, shown in (("PIL", "Pillow"), ("av", "FFmpeg"), ("rawpy", "LibRaw"), ("pypdfium2", "pdfium")):
        if name in parts:
            return shown
    return "libsndfile" if Path(filename).name == "soundfile.py" else ""


def _libtiff_path() -> Path | None:
    try:
        import PIL
        import PIL._imaging  # loads the libtiff it was built with
    except ImportError:
        return None
    base = Path(PIL.__file__).resolve().parent
    for folder in (base.parent / "pillow.libs", base / ".dylibs"):
        found = sorted(folder.glob("libtiff*")) if folder.is_dir() else []
        if found:
            return found[0]
    with contextlib.suppress(OSError):  # a distribution's Pillow links the system's libtiff
        for row in Path("/proc/self/maps").read_text().splitlines():
            if "libtiff" in row and "/" in row:
                return Path(row[row.index("/") :])
    return None


def _hook_libtiff() -> None:
    """Send libtiff's warnings and errors to `note` (they are printed on stderr otherwise)."""
    path = _libtiff_path()
    if path is None:
        return
    libtiff, libc = ctypes.CDLL(str(path)), ctypes.CDLL(None)
    libc.vsnprintf.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p]
    handler_type = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p)

    def handler(module: bytes | None, fmt: bytes | None, args: int | None) -> None:
        buffer = ctypes.create_string_buffer(1024)
        libc.vsnprintf(buffer, len(buffer), fmt or b"", args)
        where = (module or b"").decode("utf-8", "replace")
        text = buffer.value.decode("utf-8", "replace")
        note(f"{where}: {text}" if where else text, "libtiff")

    callback = handler_type(handler)
    for setter in (libtiff.TIFFSetWarningHandler, libtiff.TIFFSetErrorHandler):
        setter.argtypes, setter.restype = [handler_type], ctypes.c_void_p
        setter(callback)
    _keep.append(callback)


def install() -> None:
    """Set the hooks: libtiff's once per process, the warnings hook again whenever something (a
    `warnings.catch_warnings` block ending) put the previous one back."""
    global _installed, _previous_show_warning
    if warnings.showwarning is not _show_warning:
        with _install_lock:
            _previous_show_warning = warnings.showwarning
            warnings.showwarning = _show_warning
            # Every file's own warning, not only the first file's: they reach notes, not the terminal.
            warnings.filterwarnings("always", module=DECODER_MODULES)
    if _installed:
        return
    with _install_lock:
        if _installed:
            return
        if sys.platform.startswith("linux") or sys.platform == "darwin":
            try:
                _hook_libtiff()
            except (OSError, AttributeError) as exc:
                log.debug("libtiff's messages stay on stderr: %s", exc)
        _installed = True
