"""What the screenshot scripts share: waiting for the window to settle, a library's file names,
and the command line that builds a corpus and runs a shooting coroutine under qasync."""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dam_desktop.core.world import World

REPO = Path(__file__).resolve().parent.parent


async def wait_for(condition: Callable[[], bool], timeout: float = 120.0, settle: float = 0.8) -> None:
    """Let results, thumbnails and pop-ups arrive (the window never blocks; this only waits), then
    `settle` seconds more for the last frames (tiles fade in, pop-ups find their place)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        if loop.time() > end:
            raise TimeoutError("the window did not reach the state to photograph")
        await asyncio.sleep(0.05)
    await asyncio.sleep(settle)


async def file_ids(world: World) -> dict[str, int]:
    """{file name: entity id} of the library's assets (trash left out)."""
    from dam_desktop.use_cases.library import iter_assets

    found: dict[str, int] = {}
    async for page in iter_assets(world):
        found.update({filename: entity_id for entity_id, _kind, filename in page})
    return found


def run_shooting(
    description: str,
    prefix: str,
    build_corpus: Callable[[Path], Path],
    shoot: Callable[[Path, Path, Path], Awaitable[None]],
) -> None:
    """The scripts' command line: `--out`, `--corpus` (made before: no download), `--library`
    (kept, reused when it exists); then `shoot(library, corpus, out)` in a Qt application."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--corpus", type=Path, help="a corpus folder made before (skips the download)")
    parser.add_argument("--library", type=Path, help="keep the library here (reused when it exists)")
    args = parser.parse_args()
    import qasync

    from dam_desktop.app import create_application

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        work = Path(tmp)
        corpus = args.corpus or build_corpus(work)
        app = create_application()
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            loop.run_until_complete(shoot(args.library or work / "library", corpus, args.out))
