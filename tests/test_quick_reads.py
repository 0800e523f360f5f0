"""The command line's plain-sqlite3 reads (`use_cases.quick_reads`) give what the world gives:
the same search pages and counts for the same queries, the same components for `show`."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from dam_desktop.cli.main import main
from dam_desktop.core.world import World
from dam_desktop.services.component_catalogue import COMPONENTS
from dam_desktop.services.entity_dump import catalogue_from_models
from dam_desktop.use_cases import assets, marks, quick_reads, search, tags, trash
from dam_desktop.use_cases.marks import MarkChanges
from dam_desktop.use_cases.search import SortKey
from dam_desktop.world_setup import open_world
from tests.import_media_factory import make_jpeg, make_png, make_sound
from tests.test_tag_support import AssetSpec, make_assets

pytestmark = pytest.mark.sqlite_only(
    "the command line's plain-sqlite3 reads of a library folder, against the world's"
)

QUERIES = [
    "",
    "cat",
    "cat -dog",
    "cat | dog",
    "pet",  # the parent of cat: its children count
    "-cat type:image",
    "type:audio",
    "width:>1000",
    "name:IMG_1*",
    "IMG",
    "rating:>=3",
    "label:red | flag:pick",
    "has:missing-file",
    "added:2026",
    "ext:png size:>5000",
    "nosuchtag",
]


def _build(library: Path) -> list[int]:
    async def run() -> list[int]:
        world = await open_world(library)
        try:
            specs = [
                AssetSpec(
                    name=f"IMG_{n:04d}.png" if n % 3 else f"song {n}.wav",
                    asset_type="image" if n % 3 else "audio",
                    ext="png" if n % 3 else "wav",
                    size=1000 + 37 * n,
                    width=400 + 29 * n if n % 3 else None,
                    added=datetime(2025 + n % 2, 1 + n % 12, 1 + n % 28, n % 24, 0, 0),
                )
                for n in range(120)
            ]
            async with world.session() as session:
                ids = await make_assets(session, specs)
                await session.commit()
            await tags.add_tags(world, ids[::2], ["cat"])
            await tags.add_tags(world, ids[::3], ["dog"])
            await tags.add_parent(world, "cat", "pet")
            await marks.set_marks(world, ids[::4], MarkChanges(rating=4, label="red"))
            await marks.set_marks(world, ids[1::5], MarkChanges(rating=2, flag="pick"))
            await trash.move_to_trash(world, ids[5:8])
            return ids
        finally:
            await world.close()

    return asyncio.run(run())


async def _world_rows(world: World, query: str, **kw: object) -> list[tuple[int, str, str]]:
    return [row async for page in search.search_rows(world, query, **kw) for row in page]  # type: ignore[arg-type]


def test_search_and_count_match_the_worlds_for_every_kind_of_term(library_path: Path) -> None:
    _build(library_path)
    paths = quick_reads.readable_library(library_path)
    assert paths is not None
    orders = [
        {},
        {"sort": SortKey.NAME, "descending": False},
        {"sort": SortKey.SIZE, "descending": True},
        {"offset": 7, "limit": 11},
    ]

    async def compare() -> None:
        world = await open_world(library_path)
        try:
            for query in QUERIES:
                expected_count = await search.count_matches(world, query)
                assert quick_reads.count_matches(paths, query) == expected_count, query
                for order in orders:
                    expected = await _world_rows(world, query, **order)
                    quick = [row for page in quick_reads.search_rows(paths, query, **order) for row in page]  # type: ignore[arg-type]
                    assert quick == expected, (query, order)
            assert expected_count == 0  # the last query names no tag and no word
            assert await search.count_matches(world, "cat") > 0
        finally:
            await world.close()

    asyncio.run(compare())


def test_a_term_error_is_a_query_error_on_the_quick_path_too(library_path: Path) -> None:
    _build(library_path)
    paths = quick_reads.readable_library(library_path)
    assert paths is not None
    with pytest.raises(quick_reads.QueryError) as raised:
        list(quick_reads.search_rows(paths, "width:>abc"))
    assert "width:" in raised.value.message


def test_show_reads_every_component_as_the_world_does(tmp_path: Path, library_path: Path) -> None:
    src = tmp_path / "src"
    make_jpeg(src / "photo.jpg", seed=1)
    make_png(src / "art" / "tab\tname.png", seed=2)
    make_sound(src / "sounds" / "kick.flac", fmt="FLAC")
    assert main(["--library", str(library_path), "import", "--mode", "reference", str(src)]) == 0
    paths = quick_reads.readable_library(library_path)
    assert paths is not None

    async def compare() -> None:
        world = await open_world(library_path)
        try:
            with sqlite3.connect(paths.db_path) as db:
                ids = [r[0] for r in db.execute("SELECT entity_id FROM component_file_properties")]
                digests = [r[0] for r in db.execute("SELECT hash_value FROM component_content_hash_sha256")]
            assert len(ids) == 3
            for entity_id in [*ids, 999_999]:
                assert quick_reads.describe_asset(paths, entity_id) == await assets.describe_asset(
                    world, entity_id
                )
            for digest in [*digests, bytes(32)]:
                assert quick_reads.find_by_sha256(paths, digest) == await assets.find_by_sha256(world, digest)
        finally:
            await world.close()

    asyncio.run(compare())
    dump = quick_reads.describe_asset(paths, ids_of(paths)[0])
    assert dump is not None and isinstance(dump.created_at, datetime)
    kinds = {name for name, _ in [(c.name, None) for c in dump.components]}
    assert "FilePropertiesComponent" in kinds and "FileLocationComponent" in kinds


def ids_of(paths: object) -> list[int]:
    with sqlite3.connect(paths.db_path) as db:  # type: ignore[attr-defined]
        return [
            r[0] for r in db.execute("SELECT entity_id FROM component_file_properties ORDER BY entity_id")
        ]


def test_a_component_table_the_catalogue_lacks_sends_show_to_the_world(
    library_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (asset,) = _seed_one(library_path)
    with sqlite3.connect(library_path / "dam.sqlite3") as db:
        db.execute(
            "CREATE TABLE component_plugin_note (id INTEGER PRIMARY KEY, entity_id INTEGER, note TEXT)"
        )
    paths = quick_reads.readable_library(library_path)
    assert paths is not None
    with pytest.raises(quick_reads.NeedsTheWorld):
        quick_reads.describe_asset(paths, asset)
    assert main(["--library", str(library_path), "show", str(asset)]) == 0
    assert "  original_filename  only.png" in capsys.readouterr().out


def _seed_one(library: Path) -> list[int]:
    async def run() -> list[int]:
        world = await open_world(library)
        try:
            async with world.session() as session:
                ids = await make_assets(session, [AssetSpec(name="only.png")])
                await session.commit()
            return ids
        finally:
            await world.close()

    return asyncio.run(run())


def test_the_component_catalogue_matches_the_models() -> None:
    assert catalogue_from_models() == COMPONENTS, "run scripts/write_component_catalogue.py"
