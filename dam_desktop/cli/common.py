"""Helpers shared by the subcommands: opening the library, running a coroutine, reporting errors."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO, TypeVar

from dam_desktop.core.errors import DamError
from dam_desktop.core.world import World
from dam_desktop.settings import default_library_path

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
        if self.interactive:
            now = time.monotonic()
            if now - self.last_draw < 0.1 and fraction != 1.0:
                return
            self.last_draw = now
            self.stream.write(f"\r{text}\x1b[K")
        else:
            step = -1 if fraction is None else int(fraction * 10)
            if fraction is None or step == self.last_step:
                return
            self.last_step = step
            self.stream.write(f"{text}\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.interactive and self.last_draw:
            self.stream.write("\n")
            self.stream.flush()
        self.last_draw, self.last_step = 0.0, -1


def safe_streams() -> None:
    """Never crash on a name the terminal's encoding cannot show."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(Exception):
                reconfigure(errors="backslashreplace")


def library_path(args: argparse.Namespace) -> Path:
    return Path(args.library).expanduser() if args.library else default_library_path()


def run_with_world(args: argparse.Namespace, action: Callable[[World], Awaitable[T]]) -> T:
    """Open the library, run `action` on it, and close it, all on one event loop."""

    async def runner() -> T:
        from dam_desktop.world_setup import open_world

        world = await open_world(library_path(args))
        try:
            return await action(world)
        finally:
            await world.close()

    return asyncio.run(runner())


def fail(message: str, status: int = EXIT_FAILURE) -> int:
    print(f"dam-desktop: {message}", file=sys.stderr)
    return status


def guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn our own errors (locked library, bad folder) into one line on stderr, not a traceback."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except DamError as exc:
            return fail(str(exc))
        except KeyboardInterrupt:
            return fail("interrupted", EXIT_INTERRUPTED)

    return run
