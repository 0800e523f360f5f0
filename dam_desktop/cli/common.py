"""Helpers shared by the subcommands: opening the library, running a coroutine, reporting errors."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from dam_desktop.core.cancel import CancelToken
from dam_desktop.core.errors import DamError, LibraryDamagedError, LibraryLockedError
from dam_desktop.core.library_location import is_server_url
from dam_desktop.settings import default_library_path
from dam_desktop.utils.native_messages import write_outside_sections

if TYPE_CHECKING:
    from dam_desktop.core.world import World

T = TypeVar("T")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # as a shell reports Ctrl-C

_ESCAPES = str.maketrans({"\t": "\\t", "\n": "\\n", "\r": "\\r"})


def tab_line(*fields: object) -> str:
    """One line of output for scripts: the fields joined by tabs, with tabs and line breaks inside
    a field (a file name may hold them) escaped, so every line splits into the same columns."""
    return "\t".join(str(field).translate(_ESCAPES) for field in fields)


class ProgressLine:
    """Progress on a stream: redrawn in place on a terminal (at most ten times a second), one line
    per tenth of the way otherwise (a log file or a pipe gets ten lines, not thousands)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.interactive = stream.isatty()
        self.last_draw = 0.0
        self.last_step = -1

    def show(self, text: str, fraction: float | None) -> None:
        """`fraction` of the way done, or None when the total is not known yet (a terminal only)."""
        # While a decoder's messages are being caught on descriptor 2, a redraw would become that
        # file's note: it waits for the next call, except the last one, which waits for the section.
        last = fraction == 1.0
        if self.interactive:
            now = time.monotonic()
            if now - self.last_draw < 0.1 and not last:
                return
            if write_outside_sections(self.stream, f"\r{text}\x1b[K", wait=last):
                self.last_draw = now
        else:
            step = -1 if fraction is None else int(fraction * 10)
            if fraction is None or step == self.last_step:
                return
            if write_outside_sections(self.stream, f"{text}\n", wait=last):
                self.last_step = step

    def finish(self) -> None:
        if self.interactive and self.last_draw:
            write_outside_sections(self.stream, "\n", wait=True)
        self.last_draw, self.last_step = 0.0, -1


def safe_streams() -> None:
    """Never crash on a name the terminal's encoding cannot show."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(Exception):
                reconfigure(errors="backslashreplace")


class UsageError(DamError):
    """The command line itself is wrong (an empty `--library`, a folder that is not one): exit 2."""


class Access(Enum):
    """How a command opens the library."""

    WRITE = "write"  # takes the library's lock; fails with a clear message while another process has it
    READ = "read"  # no lock: reads beside the window (WAL), never writes
    READ_OR_WRITE = "read-or-write"  # writes when the lock is free, else reads (`similar` catches up)


def library_path(args: argparse.Namespace) -> Path:
    """The library folder; a shared library's URL is refused (for commands that need a folder)."""
    target = library_target(args)
    if isinstance(target, str):
        raise UsageError(
            "this command works on a library folder; a shared library's database lives on its server "
            '(back it up with pg_dump: see the README, "Shared library for a studio")'
        )
    return target


def library_target(args: argparse.Namespace) -> Path | str:
    """The library folder, or a shared library's PostgreSQL URL."""
    if args.library is None:
        return default_library_path()
    if not args.library.strip():
        raise UsageError("--library is empty: name a library folder")
    if is_server_url(args.library):
        return str(args.library).strip()
    return Path(args.library).expanduser()


async def _open(path: Path, access: Access) -> World:
    from dam_desktop.core.library import LibraryPaths
    from dam_desktop.core.library_lock import LibraryLock
    from dam_desktop.core.schema_version import is_up_to_date
    from dam_desktop.world_setup import open_world

    paths = LibraryPaths(path.resolve())
    # A library that does not exist yet or needs an upgrade can only be opened by a writer.
    readable = access is not Access.WRITE and paths.is_library() and is_up_to_date(paths.db_path)
    if not readable:
        return await open_world(path)
    if access is Access.READ_OR_WRITE:
        lock = LibraryLock(paths.lock_path)
        try:
            lock.acquire()
        except LibraryLockedError:
            pass  # the window has it: read what it has committed
        else:
            return await open_world(path, lock=lock)
    return await open_world(path, read_only=True)


def run_with_world(
    args: argparse.Namespace, action: Callable[[World], Awaitable[T]], access: Access = Access.WRITE
) -> T:
    """Open the library, run `action` on it, and close it, all on one event loop."""
    target = library_target(args)
    store = getattr(args, "store", None)

    async def runner() -> T:
        if isinstance(target, str):
            from dam_desktop.world_setup import open_world

            world = await open_world(target, store_root=Path(store).expanduser() if store else None)
        else:
            world = await _open(target, access)
        await world.wait_open_check()  # a command says up front that the library is damaged
        if world.damage.damaged:
            if access is Access.WRITE:  # refused before anything is stored for rows it cannot write
                await world.close()
                raise LibraryDamagedError(world.damage.message)
            print(f"dam-desktop: {world.damage.message}", file=sys.stderr)
        try:
            result = await action(world)
            if access is not Access.READ:
                from dam_desktop.use_cases.pipeline import write_tag_words

                await write_tag_words(world)
            return result
        finally:
            await world.close()

    # asyncio.run would turn the first Ctrl-C into a cancel that only the next await sees: a
    # command blocked writing to a full pipe (a pager that stopped reading) would never see it.
    # Raised at once instead, it reaches the edge (exit 130); long jobs take Ctrl-C themselves.
    plain_interrupt = (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    )
    if plain_interrupt:
        signal.signal(signal.SIGINT, _raise_interrupt)
    try:
        return asyncio.run(runner())
    finally:
        if plain_interrupt:
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _raise_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def interrupt_calls(callback: Callable[[], None]) -> Iterator[None]:
    """While inside, Ctrl-C calls `callback` (which asks the running job to stop at its next step)
    instead of raising KeyboardInterrupt; call it from the running event loop."""
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):  # no signal handlers on Windows loops
        loop.add_signal_handler(signal.SIGINT, callback)
    try:
        yield
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)


def run_cancellable(
    args: argparse.Namespace,
    action: Callable[[World, CancelToken], Awaitable[T]],
    progress: ProgressLine,
) -> T:
    """`run_with_world` for a long job: Ctrl-C asks it to stop at its next step (what it finished
    stays done) instead of killing it, and its progress line is closed however it ends."""
    cancel = CancelToken()

    async def with_interrupt(world: World) -> T:
        with interrupt_calls(cancel.cancel):
            return await action(world, cancel)

    try:
        return run_with_world(args, with_interrupt)
    finally:
        progress.finish()


def fail(message: str, status: int = EXIT_FAILURE) -> int:
    print(f"dam-desktop: {message}", file=sys.stderr)
    return status


def guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """The handler run at the error edge (`cli.edge`): every error becomes one line and an exit status.

    `main` runs every command at that edge too; this keeps a handler safe when called on its own."""

    def run(args: argparse.Namespace) -> int:
        from dam_desktop.cli.edge import run_at_edge

        return run_at_edge(handler, args)

    return run
