"""tag_service: concepts, bulk edits and their undo, rename/merge/delete, aliases, parents, counts."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from dam_desktop.services.search import search_service
from dam_desktop.services.tags import tag_concepts, tag_service
from tests.test_tag_support import AssetSpec, make_assets


async def names_on(s: Any, entity_id: int) -> list[str]:
    return [t.name for t in (await tag_service.tags_of_entities(s, [entity_id]))[entity_id]]


async def use_count(s: Any, name: str) -> int:
    tag_id = await tag_service.require_tag(s, name)
    info = await tag_service.get_tag(s, tag_id)
    assert info is not None
    return info.use_count


async def test_get_or_create_normalises_names(world: Any) -> None:
    async with world.session() as s:
        first = await tag_service.get_or_create_tag_concept(s, "  Character :  Alice ")
        again = await tag_service.get_or_create_tag_concept(s, "character:alice")
        assert first == again
        info = await tag_service.get_tag(s, first)
        assert info is not None
        assert (info.name, info.namespace) == ("character:alice", "character")
        with pytest.raises(tag_service.TagNameError):
            await tag_service.get_or_create_tag_concept(s, "   ")
        with pytest.raises(tag_service.TagNameError):
            await tag_service.get_or_create_tag_concept(s, "ns:")


async def test_bulk_add_and_remove_in_one_transaction_and_undo(world: Any) -> None:
    async with world.session() as s:
        ids = await make_assets(s, [AssetSpec(name=f"{i}.png") for i in range(300)])
        await tag_service.add_tags(s, ids[:10], ["cat"])
        await s.commit()
    async with world.session() as s:
        edit = await tag_service.add_tags(s, ids, ["cat", "Dog"])
        # Only the links that did not exist yet are reported (and would be undone).
        assert len(edit) == 290 + 300
        await s.commit()
    async with world.session() as s:
        assert await search_service.count(s, "cat dog") == 300
        assert await use_count(s, "cat") == 300
        await tag_service.drop_links(s, edit)  # undo the addition
        await s.commit()
    async with world.session() as s:
        assert await search_service.count(s, "cat") == 10
        assert await search_service.count(s, "dog") == 0
        assert await use_count(s, "cat") == 10
        removed = await tag_service.remove_tags(s, ids[:5], ["cat", "nonexistent"])
        assert {e for e, _, _ in removed.links} == set(ids[:5])
        await s.commit()
    async with world.session() as s:
        assert await search_service.count(s, "cat") == 5
        await tag_service.restore_links(s, removed)  # undo the removal
        await s.commit()
        assert await search_service.count(s, "cat") == 10


async def test_a_failed_bulk_edit_leaves_nothing_behind(world: Any) -> None:
    async with world.session() as s:
        ids = await make_assets(s, [AssetSpec(), AssetSpec()])
        await s.commit()
    async with world.session() as s:
        await tag_service.add_tags(s, ids, ["cat"])
        with pytest.raises(tag_service.TagNameError):
            await tag_service.add_tags(s, ids, ["dog", "  "])
        await s.rollback()
    async with world.session() as s:
        assert await tag_service.find_tag(s, "cat") is None
        assert await search_service.count(s, "untagged") == 2


async def test_use_counts_follow_trash_and_restore(world: Any) -> None:
    async with world.session() as s:
        _a, b = await make_assets(s, [AssetSpec(tags=("cat",)), AssetSpec(tags=("cat", "dog"))])
        await s.commit()
        assert await use_count(s, "cat") == 2
        await s.execute(text("INSERT INTO component_trashed (entity_id) VALUES (:e)"), {"e": b})
        assert await use_count(s, "cat") == 1
        assert await use_count(s, "dog") == 0
        # Tagging a trashed asset does not count either.
        await tag_service.add_tags(s, [b], ["bird"])
        assert await use_count(s, "bird") == 0
        await s.execute(text("DELETE FROM component_trashed WHERE entity_id = :e"), {"e": b})
        assert (await use_count(s, "cat"), await use_count(s, "dog"), await use_count(s, "bird")) == (2, 1, 1)
        await s.commit()


async def test_autocomplete_ranks_by_use_and_matches_namespaces_and_aliases(world: Any) -> None:
    async with world.session() as s:
        specs = [AssetSpec(tags=("cat",)) for _ in range(3)] + [AssetSpec(tags=("car", "character:cathy"))]
        specs += [AssetSpec(tags=("character:cathy",)) for _ in range(4)]
        await make_assets(s, specs)
        await tag_service.add_alias(s, await tag_service.require_tag(s, "car"), "automobile")
        await s.commit()
        got = [t.name for t in await tag_service.autocomplete(s, "ca")]
        assert got == ["character:cathy", "cat", "car"]
        assert [t.name for t in await tag_service.autocomplete(s, "CAT")] == ["character:cathy", "cat"]
        assert [t.name for t in await tag_service.autocomplete(s, "auto")] == ["car"]
        assert [t.name for t in await tag_service.autocomplete(s, "ca", limit=1)] == ["character:cathy"]
        assert await tag_service.autocomplete(s, "zz") == []


async def test_rename_and_name_clashes(world: Any) -> None:
    async with world.session() as s:
        (a,) = await make_assets(s, [AssetSpec(tags=("kitty", "dog"))])
        kitty = await tag_service.require_tag(s, "kitty")
        await tag_service.rename_tag(s, kitty, "Cat")
        assert await names_on(s, a) == ["cat", "dog"]
        assert await search_service.search(s, "cat") == [a]
        with pytest.raises(tag_service.TagNameError, match="merge"):
            await tag_service.rename_tag(s, kitty, "dog")


async def test_merge_moves_links_aliases_and_relations(world: Any) -> None:
    async with world.session() as s:
        a, b, c = await make_assets(
            s, [AssetSpec(tags=("kitty",)), AssetSpec(tags=("cat", "kitty")), AssetSpec(tags=("kitten",))]
        )
        kitty, cat = await tag_service.require_tag(s, "kitty"), await tag_service.require_tag(s, "cat")
        kitten = await tag_service.require_tag(s, "kitten")
        animal = await tag_service.get_or_create_tag_concept(s, "animal")
        await tag_service.add_parent(s, kitty, animal)
        await tag_service.add_parent(s, kitten, kitty)
        await tag_service.add_alias(s, kitty, "moggy")
        await tag_service.merge_tags(s, kitty, cat)
        await s.commit()
        assert await tag_service.get_tag(s, kitty) is None
        assert await names_on(s, a) == ["cat"]
        assert await names_on(s, b) == ["cat"]
        assert await use_count(s, "cat") == 2
        # The old name and its aliases now stand for the target; relations moved over.
        assert sorted(await search_service.search(s, "kitty", limit=None)) == [a, b, c]
        assert sorted(await search_service.search(s, "moggy", limit=None)) == [a, b, c]
        assert sorted(await search_service.search(s, "animal", limit=None)) == [a, b, c]
        assert [t.name for t in await tag_service.parents_of(s, cat)] == ["animal"]
        assert [t.name for t in await tag_service.children_of(s, cat)] == ["kitten"]
        with pytest.raises(tag_service.TagError):
            await tag_service.merge_tags(s, cat, cat)


async def test_merge_that_would_make_a_cycle_is_refused_before_any_change(world: Any) -> None:
    async with world.session() as s:
        (a,) = await make_assets(s, [AssetSpec(tags=("a", "b"))])
        ta, tb = await tag_service.require_tag(s, "a"), await tag_service.require_tag(s, "b")
        tc = await tag_service.get_or_create_tag_concept(s, "c")
        await tag_service.add_parent(s, ta, tc)  # a -> c
        await tag_service.add_parent(s, tc, tb)  # c -> b
        with pytest.raises(tag_service.TagCycleError):
            await tag_service.merge_tags(s, ta, tb)  # would make b -> c -> b
        assert await names_on(s, a) == ["a", "b"]


async def test_delete_removes_links_aliases_and_parent_links(world: Any) -> None:
    async with world.session() as s:
        (a,) = await make_assets(s, [AssetSpec(tags=("cat", "dog"))])
        cat = await tag_service.require_tag(s, "cat")
        await tag_service.add_alias(s, cat, "kitty")
        await tag_service.add_parent(s, cat, await tag_service.get_or_create_tag_concept(s, "animal"))
        await tag_service.delete_tag(s, cat)
        await s.commit()
        assert await names_on(s, a) == ["dog"]
        assert await tag_service.find_tag(s, "kitty") is None
        assert await search_service.count(s, "animal") == 0
        with pytest.raises(tag_service.TagNotFoundError):
            await tag_service.delete_tag(s, cat)


async def test_aliases_resolve_when_tagging_and_searching(world: Any) -> None:
    async with world.session() as s:
        (a, b) = await make_assets(s, [AssetSpec(tags=("cat",)), AssetSpec()])
        cat = await tag_service.require_tag(s, "cat")
        await tag_service.add_alias(s, cat, "Kitty")
        assert await tag_service.aliases_of(s, cat) == ["kitty"]
        await tag_service.add_tags(s, [b], ["kitty"])  # tags with the canonical tag
        assert await names_on(s, b) == ["cat"]
        assert sorted(await search_service.search(s, "kitty", limit=None)) == [a, b]
        with pytest.raises(tag_service.TagNameError):
            await tag_service.add_alias(s, await tag_service.get_or_create_tag_concept(s, "dog"), "kitty")
        with pytest.raises(tag_service.TagNameError):
            await tag_service.add_alias(s, cat, "dog")  # a tag's name cannot be an alias
        assert await tag_service.remove_alias(s, "kitty")
        assert await search_service.count(s, "kitty") == 0


async def test_parents_match_children_transitively_and_reject_cycles(world: Any) -> None:
    async with world.session() as s:
        kitten_asset, cat_asset, dog_asset = await make_assets(
            s, [AssetSpec(tags=("kitten",)), AssetSpec(tags=("cat",)), AssetSpec(tags=("dog",))]
        )
        kitten, cat, dog = [await tag_service.require_tag(s, n) for n in ("kitten", "cat", "dog")]
        mammal = await tag_service.get_or_create_tag_concept(s, "mammal")
        animal = await tag_service.get_or_create_tag_concept(s, "animal")
        await tag_service.add_parent(s, kitten, cat)
        await tag_service.add_parent(s, cat, mammal)
        await tag_service.add_parent(s, dog, mammal)
        await tag_service.add_parent(s, mammal, animal)
        assert sorted(await search_service.search(s, "animal", limit=None)) == sorted(
            [kitten_asset, cat_asset, dog_asset]
        )
        assert sorted(await search_service.search(s, "cat", limit=None)) == sorted([kitten_asset, cat_asset])
        assert await search_service.search(s, "kitten") == [kitten_asset]
        assert await search_service.search(s, "animal -cat") == [dog_asset]
        with pytest.raises(tag_service.TagCycleError) as info:
            await tag_service.add_parent(s, animal, kitten)
        assert "animal → mammal → cat → kitten" in str(info.value) or "cycle" in str(info.value)
        assert "kitten" in str(info.value) and "animal" in str(info.value)
        with pytest.raises(tag_service.TagCycleError, match="its own parent"):
            await tag_service.add_parent(s, cat, cat)
        assert await tag_service.remove_parent(s, cat, mammal)
        assert sorted(await search_service.search(s, "animal", limit=None)) == [dog_asset]


async def test_selection_tags_show_all_and_some(world: Any) -> None:
    async with world.session() as s:
        a, b, c = await make_assets(
            s, [AssetSpec(tags=("cat", "pet")), AssetSpec(tags=("cat",)), AssetSpec(tags=("cat", "dog"))]
        )
        sel = await tag_service.tags_of_selection(s, [a, b, c])
        assert [t.name for t in sel.all] == ["cat"]
        assert [(t.name, n) for t, n in sel.some] == [("dog", 1), ("pet", 1)]


async def test_names_and_use_counts_by_id_skip_ids_that_are_no_tag(world: Any) -> None:
    async with world.session() as s:
        await make_assets(s, [AssetSpec(tags=("cat", "pet")), AssetSpec(tags=("cat",))])
        cat, pet = await tag_service.require_tag(s, "cat"), await tag_service.require_tag(s, "pet")
        missing = max(cat, pet) + 1000
        assert await tag_service.usage_counts(s, [cat, pet, missing]) == {cat: 2, pet: 1}
        assert await tag_concepts.names_of(s, [pet, missing]) == {pet: "pet"}
