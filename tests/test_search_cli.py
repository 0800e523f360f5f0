"""`dam-desktop search`: a query may start with `-` and come as several words, with no `--`; the
new terms from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_tag_cli import cli, seed


def test_a_query_starting_with_a_minus_needs_no_double_dash(
    library_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    cat, song, big = seed(library_location)
    assert cli(library_location, "tag", "add", "cat", "--ids", str(cat)) == 0
    capsys.readouterr()
    assert cli(library_location, "search", "-cat") == 0
    assert sorted(capsys.readouterr().out.splitlines()) == sorted(
        [f"{song}\taudio\tdog\\tsong.wav", f"{big}\timage\tbig.png"]
    )
    assert cli(library_location, "search", "-cat", "-type:audio", "--count") == 0
    assert capsys.readouterr().out == "1\n"
    assert cli(library_location, "search", "--count", "-cat", "type:audio") == 0
    assert capsys.readouterr().out == "1\n"
    # No tag is named c: everything but the assets with a word of a name or tag starting with c.
    assert cli(library_location, "search", "-c", "--count") == 0
    assert capsys.readouterr().out == "2\n"


def test_names_and_words_from_the_command_line(
    library_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    cat, song, big = seed(library_location)
    assert cli(library_location, "search", "name:*.PNG", "--sort", "name", "--asc") == 0
    assert capsys.readouterr().out == f"{big}\timage\tbig.png\n{cat}\timage\tcat.png\n"
    assert cli(library_location, "search", "SON") == 0
    assert capsys.readouterr().out == f"{song}\taudio\tdog\\tsong.wav\n"


def test_an_unknown_double_dash_option_is_still_refused(
    library_location: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(library_location)
    with pytest.raises(SystemExit) as exited:
        cli(library_location, "search", "cat", "--bogus")
    assert exited.value.code == 2
    assert "--bogus" in capsys.readouterr().err
