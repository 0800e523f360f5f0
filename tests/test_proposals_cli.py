"""`dam-desktop proposals list|accept|reject`: the model review from a terminal, over the same use
cases as the window's "Model tags" view."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from dam_desktop.cli.main import main
from dam_desktop.services.tagging import tagging_service
from dam_desktop.services.tags import tag_service
from dam_desktop.world_setup import open_world
from tests.test_tag_support import AssetSpec, make_assets

MODEL = "tiny-model"


def seed(library: Path | str) -> list[int]:
    """Three images with proposals from a model, as a tagging run stores them."""

    async def run() -> list[int]:
        world = await open_world(library)
        try:
            async with world.session() as s:
                ids = await make_assets(s, [AssetSpec(name=f"shot-{n}.png") for n in range(3)])
                await tagging_service.store_model_tags(
                    s,
                    MODEL,
                    {
                        ids[0]: [("cat", 0.91), ("indoor", 0.40)],
                        ids[1]: [("cat", 0.75)],
                        ids[2]: [("beach", 0.95)],
                    },
                )
                await s.commit()
                return ids
        finally:
            await world.close()

    return asyncio.run(run())


def manual_tags(library: Path | str, entity_id: int) -> list[str]:
    async def run() -> list[str]:
        world = await open_world(library)
        try:
            async with world.session() as s:
                return sorted(t.name for t in (await tag_service.tags_of_entities(s, [entity_id]))[entity_id])
        finally:
            await world.close()

    return asyncio.run(run())


def cli(library: Path | str, *args: str) -> int:
    return main(["--library", str(library), *args])


def test_list_accept_and_reject_proposals(
    library_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second, third = seed(library_location)
    assert cli(library_location, "proposals", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:3] for line in lines] == [
        [str(third), "beach", "0.950"],
        [str(first), "cat", "0.910"],
        [str(second), "cat", "0.750"],
        [str(first), "indoor", "0.400"],
    ]
    assert lines[0].split("\t")[3:] == [MODEL, "shot-2.png"]

    assert cli(library_location, "proposals", "list", "--tag", "cat", "--min-confidence", "0.8") == 0
    assert [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()] == [str(first)]

    assert cli(library_location, "proposals", "accept", "--ids", str(first), "--tag", "cat") == 0
    assert capsys.readouterr().out == "accepted 1 tag\n"
    assert manual_tags(library_location, first) == ["cat"]

    assert cli(library_location, "proposals", "reject", "--ids", str(first)) == 0
    assert capsys.readouterr().out == "rejected 1 proposal\n"
    assert manual_tags(library_location, first) == ["cat"]

    assert cli(library_location, "proposals", "accept", "--all", "--min-confidence", "0.9") == 0
    assert capsys.readouterr().out == "accepted 1 tag\n"
    assert manual_tags(library_location, third) == ["beach"]
    assert cli(library_location, "proposals", "list") == 0
    assert [line.split("\t")[:2] for line in capsys.readouterr().out.splitlines()] == [[str(second), "cat"]]


def test_a_choice_matching_nothing_is_one_line_and_status_1(
    library_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    first, _, _ = seed(library_location)
    assert cli(library_location, "proposals", "reject", "--ids", str(first), "--tag", "dog") == 1
    err = capsys.readouterr().err
    assert err == f"dam-desktop: no open 'dog' proposals on asset {first}\n"
    assert cli(library_location, "proposals", "accept", "--ids", "999") == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_bad_arguments_are_usage_errors(
    library_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli(library_location, "proposals", "list", "--min-confidence", "1.5")
    assert exit_info.value.code == 2
    assert "between 0 and 1" in capsys.readouterr().err
    assert cli(library_location, "proposals", "accept", "--ids", "1", "--min-confidence", "0.5") == 2
    assert capsys.readouterr().err == "dam-desktop: --min-confidence goes with --all\n"
