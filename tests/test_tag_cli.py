"""`dam-desktop tag`, `tags` and `search`: output a script can use, exit status 2 on bad queries."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from dam_desktop.cli.main import main
from dam_desktop.world_setup import open_world
from tests.test_tag_support import AssetSpec, make_assets


def seed(library: Path | str) -> list[int]:
    async def run() -> list[int]:
        world = await open_world(library)
        try:
            async with world.session() as s:
                ids = await make_assets(
                    s,
                    [
                        AssetSpec(name="cat.png"),
                        AssetSpec(name="dog\tsong.wav", asset_type="audio", ext="wav"),
                        AssetSpec(name="big.png", width=3000),
                    ],
                )
                await s.commit()
                return ids
        finally:
            await world.close()

    return asyncio.run(run())


def cli(library: Path | str, *args: str) -> int:
    return main(["--library", str(library), *args])


def test_tag_search_and_tags_round_trip(
    library_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    cat, song, big = seed(library_location)
    assert cli(library_location, "tag", "add", "cat", "Pet", "--ids", f"{cat},{big}") == 0
    assert capsys.readouterr().out == "added 4 tag links\n"
    assert cli(library_location, "tag", "add", "sound", "--query", "type:audio") == 0
    assert capsys.readouterr().out == "added 1 tag link\n"

    assert cli(library_location, "search", "pet") == 0
    lines = capsys.readouterr().out.splitlines()
    assert sorted(lines) == sorted([f"{cat}\timage\tcat.png", f"{big}\timage\tbig.png"])
    assert cli(library_location, "search", "pet width:>1000") == 0
    assert capsys.readouterr().out == f"{big}\timage\tbig.png\n"
    assert cli(library_location, "search", "sound") == 0
    assert capsys.readouterr().out == f"{song}\taudio\tdog\\tsong.wav\n"
    assert cli(library_location, "search", "", "--count") == 0
    assert capsys.readouterr().out == "3\n"
    assert cli(library_location, "search", "", "--limit", "2", "--sort", "name", "--asc") == 0
    assert [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()] == [str(big), str(cat)]

    assert cli(library_location, "tags") == 0
    assert capsys.readouterr().out.splitlines() == ["2\tcat", "2\tpet", "1\tsound"]

    assert cli(library_location, "tag", "remove", "pet", "--query", "width:>1000") == 0
    assert capsys.readouterr().out == "removed 1 tag link\n"
    assert cli(library_location, "tag", "rename", "pet", "animal") == 0
    assert cli(library_location, "tag", "alias", "animal", "critter") == 0
    assert cli(library_location, "tag", "parent", "sound", "animal") == 0
    capsys.readouterr()
    assert cli(library_location, "search", "critter", "--count") == 0
    assert capsys.readouterr().out == "2\n"

    assert cli(library_location, "tag", "add", "starry night", "--ids", str(song)) == 0
    capsys.readouterr()
    # A word of a tag's name finds it at once (a shared library's words stage ran before `tag` ended).
    assert cli(library_location, "search", "starr") == 0
    assert capsys.readouterr().out == f"{song}\taudio\tdog\\tsong.wav\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "cat (dog"], "query error at position 8"),
        (["search", "width:>wide"], "query error at position 0"),
        (["search", "| cat", "--count"], "query error at position 0"),
        (["tag", "add", "x", "--query", "-"], "query error at position 0"),
        (["tag", "add", "  ", "--ids", "1"], "not a usable tag name"),
        (["tag", "add", "x", "--ids", "999"], "no asset with id 999"),
    ],
)
def test_errors_are_one_line_with_status_2(
    library_location: Path | str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    seed(library_location)
    assert cli(library_location, *args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("dam-desktop: ")
    assert message in captured.err
    assert "Traceback" not in captured.err


def test_tag_cycle_is_refused_with_status_2(
    library_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(library_location)
    assert cli(library_location, "tag", "parent", "kitten", "cat") == 0
    assert cli(library_location, "tag", "parent", "cat", "kitten") == 2
    assert "cycle" in capsys.readouterr().err
