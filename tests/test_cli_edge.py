"""The CLI's edge, as a shell user meets it: real `dam-desktop` processes, one-line errors and exit
statuses, never a traceback; reads beside a window that holds the library, writers told why not."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert

from dam_desktop.models.files import FilePropertiesComponent
from dam_desktop.services import ecs_service
from dam_desktop.world_setup import open_world
from tests.import_media_factory import make_png

pytestmark = pytest.mark.sqlite_only("reads beside a window that holds a library folder's lock")

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
CLI = [sys.executable, "-m", "dam_desktop.cli.main"]

# Holds the library as the window does: the lock taken, the world open, a write committed.
HOLDER = """
import asyncio, sys
from dam_desktop.world_setup import open_world
from dam_desktop.services.tags import tag_service


async def hold():
    world = await open_world(sys.argv[1])
    async with world.session() as session:
        await tag_service.add_tags(session, [1], ["held"])
        await session.commit()
    print("holding", flush=True)
    await asyncio.to_thread(sys.stdin.read)
    await world.close()

asyncio.run(hold())
"""


def _cli(library: Path | str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "--library", str(library), *args], capture_output=True, text=True, env=ENV, timeout=120
    )


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("dam-desktop: "), result.stderr
    return lines[0]


@pytest.fixture
def library(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    for seed in range(3):
        make_png(src / f"image-{seed}.png", seed=seed)
    library = tmp_path / "lib"
    assert _cli(library, "import", str(src)).returncode == 0
    return library


@pytest.fixture
def held(library: Path) -> Iterator[Path]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(library)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield library
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)


def test_read_only_commands_work_while_another_process_holds_the_library(held: Path) -> None:
    listing = _cli(held, "list")
    assert listing.returncode == 0, listing.stderr
    assert [line.split("\t")[2] for line in listing.stdout.splitlines()] == [
        f"image-{n}.png" for n in range(3)
    ]
    found = _cli(held, "search", "held")  # the holder's committed write is visible
    assert found.returncode == 0 and found.stdout.splitlines() == ["1\timage\timage-0.png"]
    assert _cli(held, "tags").stdout.splitlines() == ["1\theld"]
    shown = _cli(held, "show", "1")
    assert shown.returncode == 0 and "  original_filename  image-0.png" in shown.stdout.splitlines()
    info = _cli(held, "info")
    assert info.returncode == 0 and "entities  " in info.stdout
    similar = _cli(held, "similar", "2")
    assert "Traceback" not in similar.stderr and "already open" not in similar.stderr


def test_writers_fail_with_one_clear_line_while_another_process_holds_the_library(
    held: Path, tmp_path: Path
) -> None:
    for args in (("trash", "1"), ("tag", "add", "cat", "--ids", "1"), ("import", str(tmp_path / "src"))):
        result = _cli(held, *args)
        assert result.returncode == 1, args
        assert "is already open in another dam-desktop process" in _one_line_error(result)
    assert len(_cli(held, "list").stdout.splitlines()) == 3  # nothing was trashed


def _many_assets(library: Path, count: int) -> None:
    async def add() -> None:
        world = await open_world(library)
        async with world.session() as session:
            ids = await ecs_service.create_entities(session, count)
            rows = [
                {
                    "entity_id": i,
                    "original_filename": f"file-{i:06d}.png",
                    "file_size_bytes": 1,
                    "mime_type": "image/png",
                    "file_extension": "png",
                    "asset_type": "image",
                }
                for i in ids
            ]
            await session.execute(insert(FilePropertiesComponent), rows)
            await session.commit()
        await world.close()

    asyncio.run(add())


def test_output_cut_short_by_head_ends_quietly(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    _many_assets(library, 20_000)  # about 20 times what a pipe buffers

    head = subprocess.Popen(
        [*CLI, "--library", str(library), "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV
    )
    assert head.stdout is not None and head.stderr is not None
    assert head.stdout.readline().startswith(b"1\timage\t")
    head.stdout.close()  # what `head -1` does after its line
    assert head.wait(timeout=60) == 141
    assert head.stderr.read() == b""


def _as_from_a_terminal() -> None:
    """In the child, before exec: Ctrl-C at its default, as a terminal gives it. A suite started
    in the background (`cmd &` in a script, as CI runners may) passes SIGINT on ignored, and a
    program that inherits it ignored rightly keeps ignoring it (that is what `nohup` relies on)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_on_a_listing_blocked_on_a_full_pipe_says_interrupted(tmp_path: Path) -> None:
    library = tmp_path / "lib"
    _many_assets(library, 20_000)  # about 20 times what a pipe buffers
    stuck = subprocess.Popen(
        [*CLI, "--library", str(library), "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
        preexec_fn=_as_from_a_terminal,
    )
    assert stuck.stdout is not None and stuck.stderr is not None
    assert stuck.stdout.readline()  # running, and blocked on the full pipe once we stop reading
    stuck.send_signal(signal.SIGINT)
    assert stuck.wait(timeout=60) == 130
    assert stuck.stderr.read().decode().splitlines() == ["dam-desktop: interrupted"]
    stuck.stdout.close()


def test_usage_and_query_errors_exit_2_and_a_damaged_database_exits_1(library: Path, tmp_path: Path) -> None:
    empty = _cli("", "list")
    assert empty.returncode == 2
    assert _one_line_error(empty) == "dam-desktop: --library is empty: name a library folder"

    query = _cli(library, "search", "cat (dog")
    assert query.returncode == 2 and "query error at position" in _one_line_error(query)
    huge = _cli(library, "search", "width:>99999999999999999999")
    assert huge.returncode == 2 and "too large" in _one_line_error(huge)

    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "dam.sqlite3").write_bytes(b"this is not a database" * 100)
    for args in (("list",), ("import", str(tmp_path / "src"))):
        result = _cli(damaged, *args)
        assert result.returncode == 1, args
        assert str(damaged) in _one_line_error(result)
