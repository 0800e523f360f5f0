"""The tag manager dialog: rename, merge, parents (a cycle is refused in words), aliases, delete."""

from __future__ import annotations

from typing import Any

from dam_desktop.services.search import search_service
from dam_desktop.ui.tags.tag_manager import TagManagerDialog
from tests.test_tag_support import AssetSpec, make_assets
from tests.ui_helpers import run


async def _seed(world: Any) -> list[int]:
    async with world.session() as s:
        ids = await make_assets(
            s, [AssetSpec(tags=("kitty",)), AssetSpec(tags=("cat",)), AssetSpec(tags=("dog",))]
        )
        await s.commit()
        return ids


async def _ids(world: Any, query: str) -> set[int]:
    async with world.session() as s:
        return set(await search_service.search(s, query, limit=None))


def test_manage_tags(qtbot: Any, ui_client: Any) -> None:
    kitty_pic, cat_pic, dog_pic = run(qtbot, ui_client.call(_seed))
    dialog = TagManagerDialog(ui_client)
    qtbot.addWidget(dialog)
    dialog.show()
    run(qtbot, dialog.load_tags())
    assert [t.name for t in dialog.tags] == ["cat", "dog", "kitty"]

    dialog.select_tag("dog")
    qtbot.waitUntil(lambda: dialog.current is not None and dialog.current.name == "dog")
    assert run(qtbot, dialog.rename("Hound"))
    assert [t.name for t in dialog.tags] == ["cat", "hound", "kitty"]
    assert run(qtbot, ui_client.call(lambda w: _ids(w, "hound"))) == {dog_pic}

    dialog.select_tag("kitty")
    qtbot.waitUntil(lambda: dialog.current is not None and dialog.current.name == "kitty")
    assert run(qtbot, dialog.merge_into("cat"))
    assert dialog.current is not None and dialog.current.name == "cat"
    assert [dialog.alias_list.item(i).text() for i in range(dialog.alias_list.count())] == ["kitty"]
    assert run(qtbot, ui_client.call(lambda w: _ids(w, "kitty"))) == {kitty_pic, cat_pic}

    assert run(qtbot, dialog.add_parent("animal"))
    assert [dialog.parent_list.item(i).text() for i in range(dialog.parent_list.count())] == ["animal"]
    assert run(qtbot, dialog.add_alias("moggy"))
    assert run(qtbot, ui_client.call(lambda w: _ids(w, "animal"))) == {kitty_pic, cat_pic}

    run(qtbot, dialog.load_tags())
    dialog.select_tag("animal")
    qtbot.waitUntil(lambda: dialog.current is not None and dialog.current.name == "animal")
    assert not run(qtbot, dialog.add_parent("cat"))
    assert "cycle" in dialog.message.text()
    assert not run(qtbot, dialog.rename("hound"))
    assert "already" in dialog.message.text()
    dialog.grab().save("/tmp/tag_manager_test.png")

    dialog.select_tag("cat")
    qtbot.waitUntil(lambda: dialog.current is not None and dialog.current.name == "cat")
    dialog.parent_list.setCurrentRow(0)
    assert run(qtbot, dialog.remove_selected_parent())
    assert dialog.parent_list.count() == 0
    dialog.confirm = lambda title, text: True
    dialog.delete_button.click()
    qtbot.waitUntil(lambda: dialog.current is None)
    qtbot.waitUntil(lambda: [t.name for t in dialog.tags] == ["animal", "hound"])
    assert run(qtbot, ui_client.call(lambda w: _ids(w, "untagged"))) == {kitty_pic, cat_pic}
