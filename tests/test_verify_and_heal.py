"""`check --verify` catches a same-size alteration that the size check cannot see, and importing
the original again repairs a damaged stored copy atomically (not counted as a duplicate)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from dam_desktop.cli.main import main
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.services.locations.location_check import check_locations, missing_marks
from dam_desktop.services.locations.location_verify import Verifier
from tests.import_media_factory import make_png, make_sound


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


async def test_a_same_size_alteration_is_caught_by_verify_and_healed_by_a_reimport(
    world: Any, tmp_path: Path
) -> None:
    original = make_png(tmp_path / "src" / "photo.png", seed=3)
    linked = make_sound(tmp_path / "linked" / "kick.wav")
    report = await import_paths(world, [original])
    [entity_id] = report.imported
    [linked_id] = (await import_paths(world, [linked], mode="reference")).imported
    sha = hashlib.sha256(original.read_bytes()).hexdigest()
    stored = world.paths.stored_file_path(sha)
    _flip_a_byte(stored)
    _flip_a_byte(linked)

    assert (await check_locations(world)).problems == [], "sizes alone cannot see it"
    verified = await check_locations(world, verify=Verifier(0))
    reasons = {p.entity_id: (p.problem, p.reason) for p in verified.problems}
    assert reasons[entity_id][0] == "changed" and "stored copy is damaged" in reasons[entity_id][1]
    assert reasons[linked_id][0] == "changed" and "different content" in reasons[linked_id][1]
    async with world.session() as session:
        assert (await missing_marks(session))[entity_id][0] == "changed"

    again = await import_paths(world, [original])
    assert again.repaired == [entity_id] and again.duplicates == 0 and again.imported == []
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
    assert list(world.paths.tmp_dir.iterdir()) == []
    async with world.session() as session:
        assert entity_id not in await missing_marks(session)
    after = await check_locations(world, verify=Verifier(0))
    assert [p.entity_id for p in after.problems] == [linked_id]


def test_check_verify_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], library_location: Path | str, library_path: Path
) -> None:
    library = library_location
    original = make_png(tmp_path / "src" / "photo.png", seed=4)
    assert main(["--library", str(library), "import", str(original)]) == 0
    sha = hashlib.sha256(original.read_bytes()).hexdigest()
    _flip_a_byte(library_path / "files" / sha[:2] / sha[2:4] / sha)
    capsys.readouterr()

    assert main(["--library", str(library), "check"]) == 0
    assert main(["--library", str(library), "check", "--verify", "--rate", "0"]) == 1
    out = capsys.readouterr().out
    assert "\tchanged\t" in out and "stored copy is damaged" in out and "changed: 1" in out

    assert main(["--library", str(library), "import", str(original)]) == 0
    out = capsys.readouterr().out
    assert "duplicates: 0" in out and "repaired: 1 damaged stored copies" in out
    assert main(["--library", str(library), "check", "--verify"]) == 0
