"""A shared library's words stage: a tag edit lists its links, and the stage writes their words
(migration 0037), so a bare word finds what was tagged once the stage has run; the window's
pipeline runs it after each edit and says so with a change of "words". Whatever happens to a
listed link before the stage (removed, its tag renamed or deleted, its asset deleted, held by a
removal in progress), the word table ends up exactly as made afresh from the links, and two
workstations draining at once write each word once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from dam_desktop.core.events import WorldChanged
from dam_desktop.core.text_words import FRESH_TERMS, PENDING, WORDS
from dam_desktop.core.world import World
from dam_desktop.services.search.tag_words import write_listed_tag_words
from dam_desktop.services.tags import tag_service
from dam_desktop.use_cases import tags as tag_cases
from dam_desktop.use_cases.pipeline import start_background_work, stop_background_work, write_tag_words
from dam_desktop.use_cases.search import search_ids
from dam_desktop.world_setup import open_world
from tests.test_tag_support import AssetSpec, make_assets


@pytest.fixture(autouse=True)
def _postgresql_only(postgres_server: object) -> None:
    """The stage is a shared library's (the fixture skips, saying why, where no server can start)."""


async def _shared(url: str, folder: Path) -> World:
    await (await World.open_shared(url, folder / "store")).close()
    return await open_world(url)


async def _assets(world: World, count: int, name: str = "plain") -> list[int]:
    async with world.session() as s:
        ids = await make_assets(s, [AssetSpec(name=f"{name}_{n}.png") for n in range(count)])
        await s.commit()
    return ids


async def listed_tag_links(session: Any) -> int:
    """How many tag links wait for the words stage."""
    return int(await session.scalar(text(f"SELECT count(*) FROM {PENDING}")) or 0)


async def _words_match_the_links(world: World) -> None:
    async with world.session() as s:
        held = sorted((await s.execute(text(f"SELECT term, entity_id, rowid FROM {WORDS}"))).all())
        fresh = sorted((await s.execute(text(FRESH_TERMS))).all())
        listed = await listed_tag_links(s)
    assert held == fresh
    assert listed == 0


async def test_a_bare_word_finds_a_tag_edit_once_the_window_pipeline_has_written_its_words(
    shared_library_url: str, tmp_path: Path
) -> None:
    world = await _shared(shared_library_url, tmp_path)
    heard: list[WorldChanged] = []
    words_written = asyncio.Event()

    def listen(change: WorldChanged) -> None:
        heard.append(change)
        if change.touches("words"):
            words_written.set()

    try:
        ids = await _assets(world, 5)
        async with world.session() as s:
            await s.execute(text("DELETE FROM component_marker_needs_text_embedding"))  # as if embedded
            await s.commit()
        await start_background_work(world, lambda _progress: None, model_work_paused=True)
        world.add_change_listener(listen)
        await tag_cases.add_tags(world, ids[:3], ["cobalt heron"])
        assert sorted(await search_ids(world, '"cobalt heron"')) == ids[:3]  # the links, at once
        await asyncio.wait_for(words_written.wait(), 30)  # the pipeline woke on the edit's change
        assert sorted(await search_ids(world, "cobalt")) == ids[:3]
        assert sorted(await search_ids(world, "her")) == ids[:3]
        assert heard[0].touches("tags")  # the edit's own change came first
        await _words_match_the_links(world)
        async with world.session() as s:
            marked = (
                await s.execute(text("SELECT entity_id FROM component_marker_needs_text_embedding"))
            ).all()
        assert sorted(row[0] for row in marked) == ids[:3]  # their text's embedding is made again
    finally:
        await stop_background_work(world)
        await world.close()


async def test_what_happens_to_listed_links_before_the_stage_leaves_exactly_their_words(
    shared_library_url: str, tmp_path: Path
) -> None:
    world = await _shared(shared_library_url, tmp_path)
    try:
        ids = await _assets(world, 12)
        await tag_cases.add_tags(world, ids, ["amber reef"])
        await tag_cases.add_tags(world, ids[:6], ["slate moss"])
        await tag_cases.add_tags(world, ids[6:], ["drift log"])
        async with world.session() as s:
            assert await listed_tag_links(s) == 24
        # Before the stage: untag some, rename one tag, delete another, delete two assets.
        async with world.session() as s:
            amber = await tag_service.require_tag(s, "amber reef")
        await tag_cases.remove_tag_ids(world, ids[:4], [amber])
        await tag_cases.rename_tag(world, "slate moss", "granite fern")
        await tag_cases.delete_tag(world, "drift log")
        async with world.session() as s:
            await s.execute(text("DELETE FROM entities WHERE id = ANY(:e)"), {"e": ids[10:]})
            await s.commit()
        await write_tag_words(world)

        await _words_match_the_links(world)
        assert sorted(await search_ids(world, "amber")) == ids[4:10]
        assert sorted(await search_ids(world, "granite")) == ids[:6]
        assert list(await search_ids(world, "slate")) == []
        assert list(await search_ids(world, "drift")) == []
    finally:
        await world.close()


async def test_two_workstations_writing_the_words_at_once_share_the_list(
    shared_library_url: str, tmp_path: Path
) -> None:
    first = await _shared(shared_library_url, tmp_path)
    second = await open_world(shared_library_url)
    try:
        ids = await _assets(first, 300)
        await tag_cases.add_tags(first, ids, ["tidal flat", "ember glow"])

        async def drain(world: World) -> int:
            async with world.session() as s:
                taken = 0
                # Small batches, so that each workstation's turns interleave with the other's.
                while batch := await write_listed_tag_words(s, batch=40):
                    taken += batch
                    await asyncio.sleep(0)
                await s.commit()
            return taken

        taken = await asyncio.gather(drain(first), drain(second))
        assert sum(taken) == 600  # each link's words written by one of them, once
        await _words_match_the_links(first)
        assert sorted(await search_ids(second, "tidal")) == ids
    finally:
        await second.close()
        await first.close()


async def test_a_link_a_removal_holds_is_listed_again_and_written_if_the_removal_rolls_back(
    shared_library_url: str, tmp_path: Path
) -> None:
    world = await _shared(shared_library_url, tmp_path)
    other = await open_world(shared_library_url)
    try:
        ids = await _assets(world, 3)
        for outcome, name, word in (("rollback", "quartz vein", "quartz"), ("commit", "opal seam", "opal")):
            await tag_cases.add_tags(world, ids, [name])
            async with world.session() as s:
                tag = await tag_service.require_tag(s, name)
            async with other.session() as removal:
                # Another workstation's removal of one link, under way: it holds the link's row.
                link = {"e": ids[0], "t": tag}
                where = "entity_id = :e AND tag_concept_entity_id = :t"
                await removal.execute(
                    text(f"SELECT 1 FROM component_entity_tag_link WHERE {where} FOR UPDATE"), link
                )
                await write_tag_words(world)  # skips the held link, and lists it again
                assert sorted(await search_ids(world, word)) == ids[1:]
                if outcome == "commit":
                    await removal.execute(text(f"DELETE FROM component_entity_tag_link WHERE {where}"), link)
                    await removal.commit()
                else:
                    await removal.rollback()
            await write_tag_words(world)
            await _words_match_the_links(world)
        assert sorted(await search_ids(world, "quartz")) == ids  # the removal rolled back
        assert sorted(await search_ids(world, "opal")) == ids[1:]  # the removal went through
    finally:
        await other.close()
        await world.close()
