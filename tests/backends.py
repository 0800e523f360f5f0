"""Which tests run on which backend, so that `make test`'s PostgreSQL pass runs every test that
touches a library without a hand-kept list.

A test touches a library when it uses one of `LIBRARY_FIXTURES` (they open a folder, or on the
PostgreSQL pass a shared library). On that pass:
- such a test runs again, on a fresh PostgreSQL database;
- a test marked `sqlite_only(reason)` is skipped with that reason (it is about the library folder
  itself: its SQLite file, its lock, its repair);
- a test of the shared library itself (it starts its own servers: `postgres_server`,
  `shared_library_url`) is skipped, having run on the first pass;
- any other test is skipped as opening no library.

That last skip is honest only if a test that opens a library some other way (a folder passed to
`World.open` or to the CLI) is marked; the SQLite pass checks it: a test that opens a library
folder in this process, or leaves a library database under its `tmp_path` (a CLI subprocess), and
neither uses a library fixture nor is marked `sqlite_only`, fails at teardown saying so. (A test
using a library fixture may open a second library, a folder, beside it: importing sidecars into
another library, say.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.pg_server import test_backend

LIBRARY_FIXTURES = frozenset(
    {
        "world",
        "kernel_world",
        "library_location",
        "module_library_location",
        "ui_client",
        "ui_window",
    }
)
SQLITE_ONLY = "sqlite_only"
NOT_YET = "not_on_postgresql_yet"
MARKER_HELP = (
    f"{SQLITE_ONLY}(reason): the test is about a library folder (its SQLite file, lock or repair) "
    "and is skipped, with the reason, on the PostgreSQL pass"
)
NOT_YET_HELP = (
    f"{NOT_YET}(reason): a known problem on PostgreSQL, not fixed yet; the test is skipped there "
    "with the reason, in capitals so it is not mistaken for a test that has no business there"
)
SERVER_FIXTURES = frozenset({"postgres_server", "shared_library_url"})
OWN_SERVER_REASON = (
    "a shared-library test on PostgreSQL servers it starts itself: it ran on the first pass already"
)
NO_LIBRARY_REASON = (
    "opens no library (the SQLite pass fails a test that does without a library fixture or a "
    f"{SQLITE_ONLY} reason): nothing in it depends on the database backend"
)
DB_FILENAME = "dam.sqlite3"

_folder_opens = 0


def on_postgresql() -> bool:
    return test_backend() == "postgresql"


def uses_library_fixture(item: pytest.Item) -> bool:
    return bool(LIBRARY_FIXTURES.intersection(getattr(item, "fixturenames", ())))


def sqlite_only_reason(item: pytest.Item) -> str | None:
    """Why the PostgreSQL pass skips `item` although it opens a library; None when it does not."""
    for name, prefix in ((SQLITE_ONLY, "SQLite only: "), (NOT_YET, "NOT YET ON POSTGRESQL: ")):
        marker = item.get_closest_marker(name)
        if marker is None:
            continue
        reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
        if not reason:
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.{name} needs a reason")
        return prefix + str(reason)
    return None


def select_for_postgresql(items: list[pytest.Item]) -> None:
    """Skip, with a reason, every test the PostgreSQL pass does not run."""
    for item in items:
        reason = sqlite_only_reason(item)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))
        elif uses_library_fixture(item):
            continue
        elif SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.skip(reason=OWN_SERVER_REASON))
        else:
            item.add_marker(pytest.mark.skip(reason=NO_LIBRARY_REASON))


def count_folder_opens() -> None:
    """Count every library folder opened in this process (World.open / open_read_only on a path)."""
    from dam_desktop.core.library_location import is_server_url
    from dam_desktop.core.world import World

    def counting(method: Callable[..., Any]) -> Any:
        @functools.wraps(method)
        async def opened(cls: type, library: Path | str, *args: Any, **kwargs: Any) -> Any:
            global _folder_opens
            if not (isinstance(library, str) and is_server_url(library)):
                _folder_opens += 1
            return await method(cls, library, *args, **kwargs)

        return classmethod(opened)

    for name in ("open", "open_read_only"):
        original = World.__dict__[name].__func__
        setattr(World, name, counting(original))


def folder_opens() -> int:
    return _folder_opens


def undeclared_library_use(item: pytest.Item, opens_before: int) -> str | None:
    """Why `item` must be marked or use a library fixture, or None when it is fine as it is."""
    if sqlite_only_reason(item) is not None:
        return None
    if on_postgresql() or uses_library_fixture(item):
        return None
    opened_here = _folder_opens > opens_before
    tmp_path = getattr(item, "funcargs", {}).get("tmp_path")
    left = isinstance(tmp_path, Path) and next(tmp_path.rglob(DB_FILENAME), None) is not None
    if opened_here or left:
        return (
            "it opens a library without a library fixture "
            f"({', '.join(sorted(LIBRARY_FIXTURES))}), so the PostgreSQL pass would skip it as "
            f"opening none: use `library_location` or mark it {SQLITE_ONLY}(reason)"
        )
    return None
