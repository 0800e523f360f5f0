"""The inspector's tag editor on a multi-selection: all/some chips, add, remove, undo and redo."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from dam_desktop.services.search import search_service
from dam_desktop.services.tags import tag_service
from dam_desktop.ui.tags.tag_editor import TagChip, TagEditor
from dam_desktop.ui.tasks import TaskSet
from tests.test_tag_support import AssetSpec, make_assets
from tests.ui_helpers import HeldAnswers, run


async def _seed(world: Any) -> list[int]:
    async with world.session() as s:
        ids = await make_assets(
            s,
            [
                AssetSpec(name="a.png", tags=("cat", "pet")),
                AssetSpec(name="b.png", tags=("cat",)),
                AssetSpec(),
            ],
        )
        await make_assets(s, [AssetSpec(tags=("catalogue",)) for _ in range(3)])
        await s.commit()
        return ids


async def _names(world: Any, entity_id: int) -> list[str]:
    async with world.session() as s:
        return [t.name for t in (await tag_service.tags_of_entities(s, [entity_id]))[entity_id]]


def test_multi_selection_add_remove_undo_redo(qtbot: Any, ui_client: Any) -> None:
    a, b, c = run(qtbot, ui_client.call(_seed))
    editor = TagEditor(ui_client)
    qtbot.addWidget(editor)
    editor.resize(320, 200)
    editor.show()
    run(qtbot, editor.set_entities([a, b, c]))
    assert editor.chip_names() == [("cat", False), ("pet", False)]
    chips = [w for w in editor.chips_host.findChildren(TagChip) if not w.isHidden()]
    assert {chip.name_button.text() for chip in chips} == {"cat  2/3", "pet  1/3"}

    # Typing offers tags by use count; Enter adds to every selected asset.
    qtbot.keyClicks(editor.input, "ca")
    found = run(qtbot, editor.refresh_completions())
    assert [t.name for t in found] == ["catalogue", "cat"]
    editor.input.setText("Big Cat, dog")
    qtbot.keyClick(editor.input, Qt.Key.Key_Return)
    run(qtbot, editor.wait_idle())
    assert editor.chip_names() == [("big cat", True), ("dog", True), ("cat", False), ("pet", False)]
    assert run(qtbot, ui_client.call(lambda w: _names(w, c))) == ["big cat", "dog"]

    # Clicking a partial chip applies it to all; × removes from all.
    cat_chip = next(ch for ch in editor.chips_host.findChildren(TagChip) if ch.tag.name == "cat")
    qtbot.mouseClick(cat_chip.name_button, Qt.MouseButton.LeftButton)
    run(qtbot, editor.wait_idle())
    assert ("cat", True) in editor.chip_names()
    pet_chip = next(ch for ch in editor.chips_host.findChildren(TagChip) if ch.tag.name == "pet")
    qtbot.mouseClick(pet_chip.remove_button, Qt.MouseButton.LeftButton)
    run(qtbot, editor.wait_idle())
    assert editor.chip_names() == [("big cat", True), ("cat", True), ("dog", True)]

    # Undo three times: pet back on a only, cat back to a and b only, the added tags gone.
    stack = editor.undo_stack
    assert [stack.text(i) for i in range(stack.count())] == [
        "Add big cat, dog",
        "Add cat to all",
        "Remove pet",
    ]
    stack.undo()
    run(qtbot, editor.wait_idle())
    assert editor.chip_names() == [("big cat", True), ("cat", True), ("dog", True), ("pet", False)]
    stack.undo()
    stack.undo()
    run(qtbot, editor.wait_idle())
    assert editor.chip_names() == [("cat", False), ("pet", False)]
    assert run(qtbot, ui_client.call(lambda w: _names(w, a))) == ["cat", "pet"]
    assert run(qtbot, ui_client.call(lambda w: _names(w, c))) == []

    # Redo all three.
    stack.redo()
    stack.redo()
    stack.redo()
    run(qtbot, editor.wait_idle())
    assert editor.chip_names() == [("big cat", True), ("cat", True), ("dog", True)]

    async def count(world: Any) -> int:
        async with world.session() as s:
            return await search_service.count(s, "cat dog -pet")

    assert run(qtbot, ui_client.call(count)) == 3
    editor.grab().save("/tmp/tag_editor_test.png")


def test_single_asset_and_empty_selection(qtbot: Any, ui_client: Any) -> None:
    _a, _b, c = run(qtbot, ui_client.call(_seed))
    editor = TagEditor(ui_client)
    qtbot.addWidget(editor)
    run(qtbot, editor.set_entities([c]))
    assert editor.chip_names() == []
    assert editor.isEnabled() and not editor.empty_label.isHidden()
    run(qtbot, editor.set_entities([]))
    assert not editor.isEnabled()


def test_the_tags_of_an_earlier_selection_arriving_last_do_not_replace_the_current_ones(
    qtbot: Any, ui_client: Any
) -> None:
    a, b, _c = run(qtbot, ui_client.call(_seed))
    held = HeldAnswers(ui_client)
    editor = TagEditor(held)
    qtbot.addWidget(editor)
    editor.show()
    earlier = editor.tasks.spawn(editor.set_entities([a]))
    current = editor.tasks.spawn(editor.set_entities([b]))
    qtbot.waitUntil(lambda: len(held.gates) == 2)

    held.release(1)
    qtbot.waitUntil(current.done)
    assert editor.chip_names() == [("cat", True)]
    held.release(0)
    qtbot.waitUntil(earlier.done)
    assert held.answered == [True, True]
    assert editor.chip_names() == [("cat", True)]
    # A reload of the same selection (a change event's) that is overtaken is dropped the same way.
    first = editor.tasks.spawn(editor.reload())
    second = editor.tasks.spawn(editor.set_entities([a]))
    qtbot.waitUntil(lambda: len(held.gates) == 4)
    held.release(3)
    qtbot.waitUntil(second.done)
    held.release(2)
    qtbot.waitUntil(first.done)
    assert editor.chip_names() == [("cat", True), ("pet", True)]


def test_tags_that_arrive_after_the_editor_is_deleted_are_dropped(qtbot: Any, ui_client: Any) -> None:
    a, _b, _c = run(qtbot, ui_client.call(_seed))
    held = HeldAnswers(ui_client)
    inspector = QWidget()
    qtbot.addWidget(inspector)
    editor = TagEditor(held, parent=inspector)
    inspector.show()
    own = editor.tasks.spawn(editor.reload())
    inspector_tasks = TaskSet(inspector)
    from_inspector = inspector_tasks.spawn(editor.set_entities([a]))
    qtbot.waitUntil(lambda: len(held.gates) == 2)

    editor.deleteLater()
    qtbot.waitUntil(lambda: not isValid(editor))
    qtbot.waitUntil(own.done)
    assert own.cancelled()
    held.release(1)
    qtbot.waitUntil(from_inspector.done)
    assert held.answered[1] and from_inspector.exception() is None
    assert inspector.isVisible() and inspector.findChildren(TagChip) == []
