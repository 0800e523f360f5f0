"""The CLI's error edge: whatever a command raises becomes one line on stderr and an exit status.

Exit statuses: 0 done, 1 failed (the library, a file, the database), 2 bad usage or a bad query,
130 interrupted (Ctrl-C), 141 output closed early (`| head`), as a shell reports SIGPIPE.
`DAM_DESKTOP_DEBUG=1` lets unexpected errors through with their traceback, for bug reports.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import sys
from collections.abc import Callable

from dam_desktop.cli.common import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, UsageError
from dam_desktop.core.errors import DamError, QueryError

EXIT_BROKEN_PIPE = 141


def one_line(text: str) -> str:
    return " ".join(text.split())


def describe(exc: BaseException) -> tuple[str, int]:
    """The message and exit status for an error that reached the edge."""
    if isinstance(exc, QueryError):
        return f"query error at position {exc.position}: {exc.message}", EXIT_USAGE
    if isinstance(exc, UsageError):
        return str(exc), EXIT_USAGE
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        return (
            f"this needs the {exc.name.partition('.')[0]} package, which this installation does not have "
            "(the full dam-desktop package has it)",
            EXIT_FAILURE,
        )
    if isinstance(exc, DamError):
        return str(exc), EXIT_FAILURE
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}", EXIT_FAILURE
    if _is_database_error(exc):
        return f"the library database failed: {getattr(exc, 'orig', None) or exc}", EXIT_FAILURE
    if isinstance(exc, UnicodeError):
        return f"text that is not valid in its encoding: {exc}", EXIT_USAGE
    if isinstance(exc, OverflowError):
        return f"a number in the input is too large: {exc}", EXIT_USAGE
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to handle", EXIT_USAGE
    return f"unexpected error ({type(exc).__name__}): {exc}", EXIT_FAILURE


def _is_database_error(exc: BaseException) -> bool:
    """SQLite's errors, bare or wrapped by SQLAlchemy. SQLAlchemy is looked at only when a command
    has loaded it: importing it here would cost every command (`--version` too) about half a second."""
    if isinstance(exc, sqlite3.Error):
        return True
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    return sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.SQLAlchemyError)


def _silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's last flush at exit does not hit the
    closed pipe again and print 'Exception ignored ... BrokenPipeError'."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _say(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):  # stderr gone as well: the exit status still tells
        print(f"dam-desktop: {one_line(message)}", file=sys.stderr)


def run_at_edge(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        status = handler(args)
        sys.stdout.flush()  # a pipe closed early shows here, still inside the edge
        return status
    except BrokenPipeError:
        # The reader (`head`) has what it wanted; like `ls | head`, say nothing.
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        # What is still buffered is dropped: flushed at exit into a pipe nobody reads (a pager
        # that stopped), it would hang the process after Ctrl-C.
        _silence_stdout()
        _say("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:
        message, status = describe(exc)
        known = isinstance(exc, DamError | OSError | UnicodeError) or _is_database_error(exc)
        if not known and os.environ.get("DAM_DESKTOP_DEBUG"):
            raise
        _say(message)
        return status
