"""The world's tag dictionary: it answers every name as the server's lookup does, and on a shared
library it lets a search of names never searched before plan at once and check them in its
page's round trip; what it answers wrong (a tag made, aliased or re-parented elsewhere since) is
caught there, and the search still finds the right assets."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from dam_desktop.services.search import remembered_tags
from dam_desktop.services.tags import tag_dictionary, tag_resolve
from dam_desktop.services.tags.tag_dictionary import TagDictionary, dictionary_statements
from dam_desktop.use_cases import tags as tag_cases
from dam_desktop.use_cases.search import count_matches, search_ids
from tests.pg_server import test_backend
from tests.test_tag_support import AssetSpec, make_assets

on_postgresql = pytest.mark.skipif(test_backend() != "postgresql", reason="a shared library's round trips")


async def _animals(world: Any) -> list[int]:
    """cat, dog (below animal, aliased "pet"), kitten below cat, and a plain "plant"."""
    async with world.session() as s:
        assets = await make_assets(
            s,
            [
                AssetSpec(tags=("cat",)),
                AssetSpec(tags=("dog",)),
                AssetSpec(tags=("kitten", "plant")),
                AssetSpec(tags=("plant",)),
                AssetSpec(tags=("animal",)),
            ],
        )
        await s.commit()
    await tag_cases.add_parent(world, "cat", "animal")
    await tag_cases.add_parent(world, "dog", "animal")
    await tag_cases.add_parent(world, "kitten", "cat")
    await tag_cases.add_alias(world, "dog", "pet")
    await tag_cases.add_alias(world, "plant", "greenery")
    return assets


def _record_sends(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Each statement the pool's connections send, and whether it went in a pipeline."""
    sent: list[tuple[str, bool]] = []
    execute = psycopg.AsyncCursor.execute

    async def recording(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        if "pg_notify" not in str(query):  # the change feed's own connection
            piped = cursor.connection.info.pipeline_status != psycopg.pq.PipelineStatus.OFF
            sent.append((str(query), piped))
        return await execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.AsyncCursor, "execute", recording)
    return sent


async def test_the_dictionary_answers_each_name_as_the_lookup_does(world: Any) -> None:
    await _animals(world)
    names = ["cat", "dog", "animal", "kitten", "plant", "pet", "greenery", "nothing", "Animal "]
    async with world.read_session() as s:
        rows = [list((await s.execute(text(sql))).all()) for sql in dictionary_statements()]
        looked_up = await tag_resolve.resolve_tag_query_names(s, names)
    dictionary = TagDictionary.from_rows(*rows)
    assert dictionary is not None
    answers = {name: dictionary.resolve(name.strip().lower()) for name in names}
    assert answers == looked_up
    assert len(answers["animal"].ids) == 4  # itself, cat, dog and kitten below cat
    assert answers["pet"] == answers["dog"] and answers["nothing"].ids == frozenset()


@on_postgresql
async def test_names_never_searched_before_cost_one_round_trip(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assets = await _animals(world)
    assert sorted((await search_ids(world, "plant")).tolist()) == assets[2:4]  # reads the dictionary

    sent = _record_sends(monkeypatch)
    # Names, an alias and a parent this world never searched: the lookup goes with the page.
    assert sorted((await search_ids(world, "animal -greenery")).tolist()) == [assets[0], assets[1], assets[4]]
    assert [piped for _, piped in sent] == [True, True], sent
    assert "tag_name" in sent[0][0] and "LIMIT" in sent[1][0]
    sent.clear()
    assert await count_matches(world, "pet") == 1
    assert [piped for _, piped in sent] == [True, True], sent


@on_postgresql
async def test_what_another_workstation_changed_since_is_found_at_once(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assets = await _animals(world)
    assert await count_matches(world, "plant") == 2  # the dictionary is read

    # Another workstation, unheard of here: a new tag, an alias moved, a new child of "plant".
    with psycopg.connect(world.config.database_url, autocommit=True) as other:
        other.execute("UPDATE component_tag_alias SET alias_name = 'hound' WHERE alias_name = 'pet'")
        other.execute("UPDATE component_tag_concept SET tag_name = 'tree' WHERE tag_name = 'kitten'")
        other.execute(
            "INSERT INTO component_tag_parent (entity_id, parent_tag_entity_id)"
            " SELECT c.entity_id, p.entity_id FROM component_tag_concept c, component_tag_concept p"
            " WHERE c.tag_name = 'animal' AND p.tag_name = 'plant'"
        )

    sent = _record_sends(monkeypatch)
    assert sorted((await search_ids(world, "hound")).tolist()) == [assets[1]]
    # The page planned from the dictionary ("no such tag": a word of file names) ran with the
    # name's lookup, which answered otherwise: planned again and run once more.
    assert [piped for query, piped in sent if "OFFSET" in query] == [True, False], sent
    assert (await search_ids(world, "pet")).tolist() == []
    assert sorted((await search_ids(world, "tree")).tolist()) == [assets[2]]
    assert (await search_ids(world, "kitten")).tolist() == []
    # "plant" now stands for animal, and what is below it, too.
    assert await count_matches(world, "plant") == len(assets)
    sent.clear()
    assert await count_matches(world, "plant") == len(assets)  # remembered: one round trip again
    assert [piped for _, piped in sent] == [True, True], sent


@on_postgresql
async def test_a_library_with_more_tags_than_a_dictionary_holds_looks_names_up(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assets = await _animals(world)
    monkeypatch.setattr(tag_dictionary, "MAX_TAGS", 3)
    assert await count_matches(world, "plant") == 2  # the dictionary is read, and found too large

    sent = _record_sends(monkeypatch)
    below_animal = [assets[0], assets[1], assets[2], assets[4]]
    assert sorted((await search_ids(world, "animal")).tolist()) == below_animal
    # The name's lookup first, on its own (no dictionary is read again), then the page.
    assert [piped for _, piped in sent] == [False, False], sent
    sent.clear()
    assert await count_matches(world, "animal") == 4  # remembered, and checked with the count
    assert [piped for _, piped in sent] == [True, True], sent


@on_postgresql
async def test_an_old_dictionary_is_read_again_with_the_next_lookup(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assets = await _animals(world)
    assert await count_matches(world, "plant") == 2
    with psycopg.connect(world.config.database_url, autocommit=True) as other:
        other.execute("UPDATE component_tag_concept SET tag_name = 'canine' WHERE tag_name = 'dog'")
    monkeypatch.setattr(remembered_tags, "DICTIONARY_MAX_AGE_S", -1.0)

    sent = _record_sends(monkeypatch)
    assert sorted((await search_ids(world, "canine")).tolist()) == [assets[1]]
    # The name's lookup and the dictionary (three statements) in one pipeline, then the page.
    assert [piped for _, piped in sent] == [True, True, True, True, False], sent


@on_postgresql
async def test_the_grids_first_page_checks_new_names_in_its_own_round_trip(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dam_desktop.use_cases.result_pages import count_result, open_search

    assets = await _animals(world)
    assert await count_matches(world, "plant") == 2  # the dictionary is read

    sent = _record_sends(monkeypatch)
    result = await open_search(world, "animal -greenery")
    assert sorted(result.first.ids.tolist()) == [assets[0], assets[1], assets[4]]
    assert [piped for _, piped in sent] == [True, True], sent  # the names' lookup, the first page
    assert await count_result(world, result.query) == 3

    with psycopg.connect(world.config.database_url, autocommit=True) as other:
        other.execute("UPDATE component_tag_alias SET alias_name = 'flora' WHERE alias_name = 'greenery'")
    sent.clear()
    result = await open_search(world, "animal -flora")  # "flora": no tag, as far as this world knows
    assert sorted(result.first.ids.tolist()) == [assets[0], assets[1], assets[4]]
    assert [piped for query, piped in sent if "OFFSET" in query] == [True, False], sent  # planned again
