"""Sorting by date taken, dimensions, duration and rating: real files (JPEGs with EXIF dates of
their own, sounds of different lengths) imported, then ordered in the window's grid and by the
CLI; assets lacking the value come last in both directions, and pages read across ties give each
asset once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from dam_desktop.cli.main import main
from dam_desktop.services.search.sorting import SortKey
from dam_desktop.ui.window.main_window import MainWindow
from dam_desktop.use_cases.imports import import_files
from dam_desktop.use_cases.library import tile_infos
from dam_desktop.use_cases.marks import MarkChanges, set_marks
from dam_desktop.use_cases.result_pages import next_page, open_search
from dam_desktop.world_setup import open_world
from tests.ui_helpers import run

EXIF_IFD = 0x8769
DATE_TIME_ORIGINAL = 0x9003

# name: (width, height, EXIF DateTimeOriginal or None)
PICTURES = {
    "beach.jpg": (640, 480, "2019:07:14 16:02:11"),
    "forest.jpg": (300, 200, "2021:03:02 08:15:00"),
    "city.jpg": (1000, 750, "2017:12:24 21:40:59"),
    "scan.png": (800, 600, None),  # no date taken; as many pixels as the ones below
    "poster.png": (600, 800, None),
}
SOUNDS = {"short.wav": 0.5, "long.wav": 3.0, "middle.wav": 1.25}  # seconds
RATINGS = {"forest.jpg": 5, "long.wav": 2, "city.jpg": 4}

# What a user expects, by name, in each order's natural direction; a tuple is a tie, which the
# date added breaks (in the same direction).
EXPECTED: dict[SortKey, list[str | tuple[str, ...]]] = {
    SortKey.TAKEN: ["forest.jpg", "beach.jpg", "city.jpg"],
    SortKey.DIMENSIONS: ["city.jpg", ("poster.png", "scan.png"), "beach.jpg", "forest.jpg"],
    SortKey.DURATION: ["long.wav", "middle.wav", "short.wav"],
    SortKey.RATING: ["forest.jpg", "city.jpg", "long.wav"],
}


def make_files(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n, (name, (width, height, taken)) in enumerate(PICTURES.items()):
        picture = Image.new("RGB", (width, height), (40 * n, 200 - 30 * n, 90))
        if taken is None:
            picture.save(folder / name)
            continue
        exif = Image.Exif()
        exif.get_ifd(EXIF_IFD)[DATE_TIME_ORIGINAL] = taken
        picture.save(folder / name, exif=exif)
    for n, (name, seconds) in enumerate(SOUNDS.items()):
        t = np.arange(int(seconds * 22050)) / 22050
        sf.write(folder / name, 0.3 * np.sin(2 * np.pi * (220 + 110 * n) * t), 22050)


async def import_and_rate(world: Any, folder: Path) -> dict[str, int]:
    await import_files(world, [folder])
    names = await _names(world)
    assert sorted(names) == sorted([*PICTURES, *SOUNDS])
    for name, stars in RATINGS.items():
        await set_marks(world, [names[name]], MarkChanges(rating=stars))
    return names


async def _names(world: Any) -> dict[str, int]:
    from dam_desktop.use_cases.library import asset_ids

    ids = (await asset_ids(world)).tolist()
    return {info.filename: eid for eid, info in (await tile_infos(world, ids)).items()}


def _check(order: list[str], key: SortKey, descending: bool, names: dict[str, int]) -> None:
    """The assets with the value in its order, then every other one, by date added in the same
    direction."""
    expected = EXPECTED[key] if descending else list(reversed(EXPECTED[key]))
    having = [
        name
        for item in expected
        for name in (
            sorted(item, key=names.__getitem__, reverse=descending) if isinstance(item, tuple) else [item]
        )
    ]
    assert order[: len(having)] == having, (key, descending, order)
    lacking = order[len(having) :]
    assert sorted(lacking) == sorted(set(names) - set(having)), (key, descending, order)
    assert [names[n] for n in lacking] == sorted((names[n] for n in lacking), reverse=descending)


def test_the_grid_sorts_by_date_taken_dimensions_duration_and_rating(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, tmp_path: Path
) -> None:
    make_files(tmp_path / "drop")
    names = run(qtbot, ui_client.call(lambda world: import_and_rate(world, tmp_path / "drop")), 60_000)
    by_id = {eid: name for name, eid in names.items()}
    labels = [ui_window.sort_box.itemText(i) for i in range(ui_window.sort_box.count())]
    assert labels[-4:] == ["Date taken", "Dimensions", "Duration", "Rating"]

    def shown() -> list[str]:
        return [by_id[int(i)] for i in ui_window.model.ids.tolist()]

    for key in EXPECTED:
        ui_window.sort_box.setCurrentIndex(list(SortKey).index(key))
        qtbot.waitUntil(lambda key=key: ui_window.sort is key and settled(ui_window))
        qtbot.waitUntil(lambda: len(shown()) == len(names))
        _check(shown(), key, True, names)
        ui_window.toolbar.direction_button.click()
        qtbot.waitUntil(lambda: not ui_window.descending and settled(ui_window))
        qtbot.waitUntil(lambda: len(shown()) == len(names))
        _check(shown(), key, False, names)


def settled(window: MainWindow) -> bool:
    return not window.model.loading and not window.tasks


def _cli(library: Path | str, *args: str) -> int:
    return main(["--library", str(library), *args])


@pytest.mark.parametrize("command", ["search", "list"])
def test_the_cli_lists_and_searches_in_the_new_orders(
    library_location: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    make_files(tmp_path / "drop")

    async def seed() -> dict[str, int]:
        world = await open_world(library_location)
        try:
            return await import_and_rate(world, tmp_path / "drop")
        finally:
            await world.close()

    names = asyncio.run(seed())
    capsys.readouterr()
    query = [""] if command == "search" else []
    for key in EXPECTED:
        for direction, descending in (("--desc", True), ("--asc", False)):
            assert _cli(library_location, command, *query, "--sort", key.value, direction) == 0
            order = [line.split("\t")[2] for line in capsys.readouterr().out.splitlines()]
            _check(order, key, descending, names)
        # Without a direction, each order reads in its natural one (newest, largest, longest, best first).
        assert _cli(library_location, command, *query, "--sort", key.value) == 0
        assert capsys.readouterr().out.splitlines()[0].split("\t")[2] == EXPECTED[key][0]


async def test_pages_across_ties_give_every_asset_once(world: Any, tmp_path: Path) -> None:
    """Forty pictures in four sizes (ten of each size tie), half of them dated, in pages of three:
    each order, in both directions, lists every asset exactly once, in order."""
    folder = tmp_path / "ties"
    folder.mkdir()
    for n in range(40):
        size = (100 + 20 * (n % 4), 100)
        picture = Image.new("RGB", size, (n * 6, 255 - n * 6, n % 7 * 30))
        if n % 2:
            exif = Image.Exif()
            exif.get_ifd(EXIF_IFD)[DATE_TIME_ORIGINAL] = f"2020:01:0{1 + n % 3} 12:00:00"
            picture.save(folder / f"p{n:02d}.jpg", exif=exif)
        else:
            picture.save(folder / f"p{n:02d}.jpg")
    await import_files(world, [folder])
    names = await _names(world)
    assert len(names) == 40
    for key in (SortKey.DIMENSIONS, SortKey.TAKEN):
        for descending in (True, False):
            result = await open_search(world, "", sort=key, descending=descending, first=3)
            ids = result.first.ids.tolist()
            cursor = result.first.next
            while cursor is not None:
                page = await next_page(world, cursor, 3)
                ids += page.ids.tolist()
                cursor = page.next
            assert sorted(ids) == sorted(names.values()), (key, descending)
            widths = {eid: 100 + 20 * (int(name[1:3]) % 4) for name, eid in names.items()}
            if key is SortKey.DIMENSIONS:
                keys = [(widths[i], i) for i in ids]
                assert keys == sorted(keys, reverse=descending)
            else:
                dated = [i for i in ids if int(next(n for n, e in names.items() if e == i)[1:3]) % 2]
                assert ids[: len(dated)] == dated, "every dated picture before the undated ones"
                assert ids[len(dated) :] == sorted(ids[len(dated) :], reverse=descending)
