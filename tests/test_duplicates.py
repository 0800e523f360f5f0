"""Near-duplicates of real wallpapers: found in groups, resolved keep-best, and the resolution undone.

Thirteen Debian and GNOME wallpapers (tests/fixtures/wallpapers, see its NOTICE) each get four
near-copies the way libraries collect them: resized to half, re-encoded as JPEG quality 60,
cropped by 5%, and a small colour shift (tests/wallpaper_fixtures.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from dam_desktop.cli.main import main
from dam_desktop.services.similarity.hash_index import near_pairs, near_pairs_all_pairs
from dam_desktop.services.store import trash_service
from dam_desktop.services.tags import tag_service
from dam_desktop.use_cases.duplicates import find_duplicates, resolve_keep_best, undo_resolution
from dam_desktop.world_setup import open_world
from tests.wallpaper_fixtures import COPIES, WALLPAPERS, WallpaperLibrary, wallpaper_names
from tests.wallpaper_fixtures import wallpaper_of as _wallpaper


async def test_each_wallpaper_is_grouped_with_all_its_copies_and_nothing_else(
    wallpaper_library: WallpaperLibrary,
) -> None:
    world = await open_world(wallpaper_library.path)
    try:
        groups = await find_duplicates(world, "image")
    finally:
        await world.close()
    names = [sorted(m.filename for m in g.members) for g in groups]
    wallpapers = wallpaper_names()
    assert sorted(_wallpaper(g[0]) for g in names) == wallpapers
    for group in names:
        stem = _wallpaper(group[0])
        assert group == sorted([f"{stem}.jpg", *(f"{stem}.{k}.jpg" for k in COPIES)])
    # The keep-best rule puts the full-size original, imported first, at the head of each group.
    assert all(g.members[0].filename == f"{_wallpaper(g.members[0].filename)}.jpg" for g in groups)


async def test_keep_best_merges_tags_trashes_the_copies_and_undo_puts_everything_back(
    wallpaper_library: WallpaperLibrary,
) -> None:
    ids = wallpaper_library.ids
    world = await open_world(wallpaper_library.path)
    try:
        async with world.session() as session:
            await tag_service.add_tags(session, [ids["debian-emerald.q60.jpg"]], ["sky"])
            await session.commit()
        groups = await find_duplicates(world, "image")
        resolution = await resolve_keep_best(world, groups)
        original = ids["debian-emerald.jpg"]
        copies = {ids[f"debian-emerald.{k}.jpg"] for k in COPIES}
        async with world.session() as session:
            tags = await tag_service.tags_of_entities(session, [original])
            trashed = await trash_service.trashed_ids(session, list(ids.values()))
        assert [t.name for t in tags[original]] == ["sky"]
        assert copies <= trashed and original not in trashed
        assert len(trashed) == 4 * len(groups)
        assert await find_duplicates(world, "image") == []

        await undo_resolution(world, resolution)
        async with world.session() as session:
            tags = await tag_service.tags_of_entities(session, [original])
            trashed = await trash_service.trashed_ids(session, list(ids.values()))
        assert tags.get(original, []) == [] and trashed == set()
        assert len(await find_duplicates(world, "image")) == len(groups)
    finally:
        await world.close()


def test_cli_prints_the_groups_and_a_bad_threshold_is_one_line(
    wallpaper_library: WallpaperLibrary, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--library", str(wallpaper_library.path), "duplicates", "--threshold", "10"]) == 0
    captured = capsys.readouterr()
    lines = [line.split("\t") for line in captured.out.splitlines()]
    assert len(lines) == 5 * len(list(WALLPAPERS.glob("*.jpg")))
    first = [row for row in lines if row[0] == "1"]
    assert first[0][-1].count(".") == 1  # the original comes first in its group
    assert "groups of near-duplicate images" in captured.err

    assert main(["--library", str(wallpaper_library.path), "duplicates", "--threshold", "99"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--threshold 99" in err[0]


@pytest.mark.parametrize("radius", [0, 1, 3, 6, 8, 10, 12])
def test_multi_index_hashing_finds_exactly_the_pairs_all_pairs_finds(radius: int) -> None:
    rng = np.random.default_rng(radius)
    base = rng.integers(0, np.iinfo(np.uint64).max, 3000, dtype=np.uint64, endpoint=True)
    flips = np.zeros(300, dtype=np.uint64)
    for k in range(300):
        for bit in rng.choice(64, int(rng.integers(0, radius + 3)), replace=False):
            flips[k] |= np.uint64(1) << np.uint64(bit)
    hashes = np.concatenate([base, base[:300] ^ flips])
    fast, naive = near_pairs(hashes, radius), near_pairs_all_pairs(hashes, radius)
    assert set(zip(fast.left.tolist(), fast.right.tolist(), strict=True)) == set(
        zip(naive.left.tolist(), naive.right.tolist(), strict=True)
    )
    assert len(fast.left) >= 30 and bool(np.all(fast.distance <= radius))
