"""What the triggers keep right, on both backends (on PostgreSQL they run once per statement over
its rows): tag use counts that skip trashed assets, the text index's tag rows (on PostgreSQL the
word table's words of each link), the text-embedding markers, after bulk edits of many links in one
statement (on PostgreSQL once the words stage has written the words an edit listed); and the
count of every asset (kept in a table on PostgreSQL) through imports, the trash
and deletions."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from dam_desktop.core.world import World
from dam_desktop.services.ingest.import_service import import_paths
from dam_desktop.use_cases import tags as tag_cases
from dam_desktop.use_cases.pipeline import write_tag_words
from dam_desktop.use_cases.search import count_matches, search_ids
from dam_desktop.use_cases.trash import delete_for_good, move_to_trash
from tests.backends import on_postgresql
from tests.import_media_factory import make_png

_TAG_ROWS = "SELECT count(*) FROM search_asset_text WHERE tags = :t"
# PostgreSQL's text index has no tag rows (migration 0036): the word table has each link's words.
_TAG_ROWS_POSTGRESQL = (
    "SELECT count(DISTINCT w.rowid) FROM search_asset_word w JOIN component_tag_concept c"
    " ON w.rowid & 2147483647 = c.entity_id AND w.term = c.tag_name WHERE c.tag_name = :t"
)


async def _facts(world: World, tag: str) -> tuple[int, int, int]:
    async with world.session() as session:
        uses = await session.scalar(
            text("SELECT use_count FROM component_tag_concept WHERE tag_name = :t"), {"t": tag}
        )
        rows = await session.scalar(text(_TAG_ROWS_POSTGRESQL if on_postgresql() else _TAG_ROWS), {"t": tag})
        marked = await session.scalar(text("SELECT count(*) FROM component_marker_needs_text_embedding"))
    return int(uses or 0), int(rows or 0), int(marked or 0)


async def test_bulk_tag_edits_keep_counts_text_rows_and_markers(world: World, tmp_path: Path) -> None:
    for i in range(6):
        make_png(tmp_path / "in" / f"p{i}.png", (16, 12), seed=i)
    report = await import_paths(world, [tmp_path / "in"])
    ids = sorted(report.imported)
    assert len(ids) == 6
    async with world.session() as session:
        await session.execute(text("DELETE FROM component_marker_needs_text_embedding"))
        await session.commit()
    await move_to_trash(world, ids[:1])

    await tag_cases.add_tags(world, ids, ["kestrel", "ochre"])  # 12 links in one statement
    await write_tag_words(world)  # on PostgreSQL, the words stage the window runs after an edit
    assert await _facts(world, "kestrel") == (5, 6, 6)  # the trashed asset is not counted
    assert sorted(await search_ids(world, "kestrel")) == ids[1:]

    await tag_cases.add_tags(world, ids, ["kestrel"])  # nothing new: nothing counted twice
    await write_tag_words(world)
    assert (await _facts(world, "kestrel"))[:2] == (5, 6)

    async with world.session() as session:
        await session.execute(text("DELETE FROM component_marker_needs_text_embedding"))
        await session.commit()
    edit = await tag_cases.remove_tag_ids(world, ids[:4], [await _tag_id(world, "kestrel")])
    assert len(edit.links) == 4
    assert await _facts(world, "kestrel") == (2, 2, 4)
    assert sorted(await search_ids(world, "kestrel")) == ids[4:]
    assert (await _facts(world, "ochre"))[:2] == (5, 6)


async def _tag_id(world: World, name: str) -> int:
    async with world.session() as session:
        return int(
            await session.scalar(
                text("SELECT entity_id FROM component_tag_concept WHERE tag_name = :t"), {"t": name}
            )
        )


async def test_the_count_of_every_asset_follows_imports_the_trash_and_deletions(
    world: World, tmp_path: Path
) -> None:
    for i in range(5):
        make_png(tmp_path / "a" / f"p{i}.png", (16, 12), seed=100 + i)
        make_png(tmp_path / "b" / f"q{i}.png", (16, 12), seed=200 + i)
    first = await import_paths(world, [tmp_path / "a"])
    assert await count_matches(world, "") == 5
    await import_paths(world, [tmp_path / "b", tmp_path / "a"])  # the copies of a/ are duplicates
    assert await count_matches(world, "") == 10
    await move_to_trash(world, first.imported[:2])
    assert await count_matches(world, "") == 8
    await delete_for_good(world, first.imported[:2])
    assert await count_matches(world, "") == 8
    assert len(await search_ids(world, "")) == 8


async def test_a_bare_word_finds_a_tags_assets_through_renames_and_deletion(
    world: World, tmp_path: Path
) -> None:
    for i in range(4):
        make_png(tmp_path / "in" / f"p{i}.png", (16, 12), seed=300 + i)
    ids = sorted((await import_paths(world, [tmp_path / "in"])).imported)
    await tag_cases.add_tags(world, ids[:3], ["heron blue"])
    await write_tag_words(world)
    # A word of the tag's name (a word-table lookup), a phrase, a two-letter prefix and a glob's
    # word (the tags' names tested on PostgreSQL): each finds the tagged assets and no other.
    for query in ("heron", "blu", '"heron blue"', "he", "her*"):
        assert sorted(await search_ids(world, query)) == ids[:3], query
    assert await count_matches(world, "blue") == 3

    await tag_cases.rename_tag(world, "heron blue", "egret grey")
    assert list(await search_ids(world, "heron")) == []
    assert list(await search_ids(world, '"heron blue"')) == []
    assert sorted(await search_ids(world, "egret")) == ids[:3]
    assert sorted(await search_ids(world, "gre")) == ids[:3]

    await tag_cases.remove_tag_ids(world, ids[:1], [await _tag_id(world, "egret grey")])
    assert sorted(await search_ids(world, "egret")) == ids[1:3]
    await tag_cases.delete_tag(world, "egret grey")
    for query in ("egret", "gre", "eg", '"egret grey"'):
        assert list(await search_ids(world, query)) == [], query
    assert await count_matches(world, "egret") == 0
