"""The tag sidebar: counts for the current result, click to filter, Ctrl-click to exclude, saved
searches kept in the library."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from dam_desktop.services.search import search_service
from dam_desktop.ui.tags.tag_sidebar import COUNT_ROLE, TagSidebar, narrowed, term_for_tag
from dam_desktop.ui.tasks import TaskSet
from tests.test_tag_support import AssetSpec, make_assets
from tests.ui_helpers import HeldAnswers, run


async def _seed(world: Any) -> None:
    async with world.session() as s:
        await make_assets(
            s,
            [
                AssetSpec(tags=("cat", "pet")),
                AssetSpec(tags=("cat", "big cat")),
                AssetSpec(tags=("dog", "pet")),
                AssetSpec(tags=("cat",), trashed=True),
            ],
        )
        await s.commit()


def test_terms_for_tags_parse_back() -> None:
    assert term_for_tag("cat") == "cat"
    assert term_for_tag("character:alice") == "character:alice"
    assert term_for_tag("big cat") == '"big cat"'
    assert term_for_tag("type:image") == '"type:image"'
    assert term_for_tag("untagged") == '"untagged"'
    assert narrowed("", "cat", False) == "cat"
    assert narrowed("a | b", "big cat", True) == '(a | b) -"big cat"'


def test_counts_follow_the_query_and_clicks_narrow_it(qtbot: Any, ui_client: Any) -> None:
    run(qtbot, ui_client.call(_seed))
    sidebar = TagSidebar(ui_client)
    qtbot.addWidget(sidebar)
    sidebar.resize(260, 420)
    sidebar.show()
    requested: list[str] = []
    sidebar.queryRequested.connect(requested.append)

    run(qtbot, sidebar.refresh(""))
    assert [(c.name, c.count) for c in sidebar.counts] == [("cat", 2), ("pet", 2), ("big cat", 1), ("dog", 1)]
    assert sidebar.tag_list.item(0).text() == "cat"
    assert sidebar.tag_list.item(0).data(COUNT_ROLE) == "2"

    # Click "pet": the window is asked to show "pet"; it does, and the counts follow.
    pet_item = sidebar.tag_list.findItems("pet", Qt.MatchFlag.MatchExactly)[0]
    rect = sidebar.tag_list.visualItemRect(pet_item)
    qtbot.mouseClick(sidebar.tag_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert requested == ["pet"]
    run(qtbot, sidebar.refresh("pet"))
    assert [(c.name, c.count) for c in sidebar.counts] == [("pet", 2), ("cat", 1), ("dog", 1)]

    # Ctrl-click "cat": exclude it.
    cat_item = sidebar.tag_list.findItems("cat", Qt.MatchFlag.MatchExactly)[0]
    rect = sidebar.tag_list.visualItemRect(cat_item)
    qtbot.mouseClick(
        sidebar.tag_list.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        pos=rect.center(),
    )
    assert requested[-1] == "pet -cat"
    run(qtbot, sidebar.refresh("pet -cat"))
    assert [(c.name, c.count) for c in sidebar.counts] == [("dog", 1), ("pet", 1)]

    # An invalid query (the user is still typing) shows no counts rather than failing.
    run(qtbot, sidebar.refresh("pet ("))
    assert sidebar.counts == []


def test_saved_searches(qtbot: Any, ui_client: Any) -> None:
    run(qtbot, ui_client.call(_seed))
    sidebar = TagSidebar(ui_client)
    qtbot.addWidget(sidebar)
    requested: list[str] = []
    sidebar.queryRequested.connect(requested.append)
    run(qtbot, sidebar.refresh("cat -pet"))
    sidebar.ask_name = lambda: "Cats only"
    qtbot.mouseClick(sidebar.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sidebar.saved_list.count() == 1)
    assert sidebar.saved_list.item(0).text() == "Cats only"

    async def saved(world: Any) -> list[tuple[str, str]]:
        async with world.session() as s:
            return [(x.name, x.query) for x in await search_service.list_saved_searches(s)]

    assert run(qtbot, ui_client.call(saved)) == [("Cats only", "cat -pet")]
    run(qtbot, sidebar.refresh(""))
    item = sidebar.saved_list.item(0)
    qtbot.mouseClick(
        sidebar.saved_list.viewport(),
        Qt.MouseButton.LeftButton,
        pos=sidebar.saved_list.visualItemRect(item).center(),
    )
    assert requested == ["cat -pet"]
    run(qtbot, sidebar.delete_saved("Cats only"))
    qtbot.waitUntil(lambda: sidebar.saved_list.count() == 0)


def _listed(sidebar: TagSidebar) -> list[tuple[str, str]]:
    return [
        (sidebar.tag_list.item(row).text(), sidebar.tag_list.item(row).data(COUNT_ROLE))
        for row in range(sidebar.tag_list.count())
    ]


def test_an_older_searchs_counts_arriving_last_do_not_replace_the_newer_ones(
    qtbot: Any, ui_client: Any
) -> None:
    run(qtbot, ui_client.call(_seed))
    held = HeldAnswers(ui_client)
    sidebar = TagSidebar(held)
    qtbot.addWidget(sidebar)
    sidebar.show()
    older = sidebar.tasks.spawn(sidebar.refresh("pet"))
    newer = sidebar.tasks.spawn(sidebar.refresh("dog"))
    qtbot.waitUntil(lambda: len(held.gates) == 2)

    held.release(1)
    qtbot.waitUntil(newer.done)
    assert _listed(sidebar) == [("dog", "1"), ("pet", "1")]
    held.release(0)
    qtbot.waitUntil(older.done)
    assert held.answered == [True, True]
    assert _listed(sidebar) == [("dog", "1"), ("pet", "1")]
    assert sidebar.query == "dog"


def test_counts_that_arrive_after_the_sidebar_is_deleted_are_dropped(qtbot: Any, ui_client: Any) -> None:
    run(qtbot, ui_client.call(_seed))
    held = HeldAnswers(ui_client)
    window = QWidget()
    qtbot.addWidget(window)
    sidebar = TagSidebar(held, window)
    window.show()
    # One refresh started by the sidebar itself (a change event's), one by the window (a new result).
    own = sidebar.tasks.spawn(sidebar.refresh("cat"))
    window_tasks = TaskSet(window)
    from_window = window_tasks.spawn(sidebar.refresh("pet"))
    qtbot.waitUntil(lambda: len(held.gates) == 2)

    sidebar.deleteLater()
    qtbot.waitUntil(lambda: not isValid(sidebar))
    qtbot.waitUntil(own.done)
    assert own.cancelled()  # the sidebar's own work ends with it
    held.release(1)
    qtbot.waitUntil(from_window.done)
    assert held.answered[1] and from_window.exception() is None  # the answer came, and was dropped
    assert window.isVisible() and window.findChildren(TagSidebar) == []


def test_a_long_tag_is_shortened_and_keeps_its_count_in_view(qtbot: Any, ui_client: Any) -> None:
    """A tag name wider than the sidebar is shortened in the middle: the list never scrolls
    sideways and the count stays at the right edge, where the other counts are."""
    long_name = "client:acme-corporation|spring-campaign|hero-shots|final-selects"

    async def seed(world: Any) -> None:
        async with world.session() as s:
            await make_assets(s, [AssetSpec(tags=(long_name, "cat")), AssetSpec(tags=(long_name,))])
            await s.commit()

    run(qtbot, ui_client.call(seed))
    sidebar = TagSidebar(ui_client)
    qtbot.addWidget(sidebar)
    sidebar.resize(200, 300)
    sidebar.show()
    run(qtbot, sidebar.refresh(""))
    qtbot.waitUntil(lambda: sidebar.tag_list.count() == 2)
    listed = sidebar.tag_list
    item = listed.findItems(long_name, Qt.MatchFlag.MatchExactly)[0]
    assert item.data(COUNT_ROLE) == "2"
    wide = listed.fontMetrics().horizontalAdvance(long_name)
    assert wide > listed.viewport().width(), "the name must not fit for this test to mean anything"
    assert listed.horizontalScrollBar().maximum() == 0
    assert listed.visualItemRect(item).right() < listed.viewport().width()
