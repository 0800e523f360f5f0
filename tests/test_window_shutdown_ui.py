"""A window shutting down (its library closing, the app quitting) starts no new work: a change
that arrives meanwhile (another workstation's import) reads nothing, and the grid stays as it
was until the window goes."""

from __future__ import annotations

import asyncio
from typing import Any

from dam_desktop.core.events import WorldChanged
from dam_desktop.ui.window.main_window import MainWindow
from tests.test_tag_support import AssetSpec, make_assets
from tests.ui_helpers import run


def _add_assets(qtbot: Any, client: Any, names: list[str]) -> list[int]:
    async def build(world: Any) -> list[int]:
        async with world.session() as session:
            ids = await make_assets(session, [AssetSpec(name=name) for name in names])
            await session.commit()
        return ids

    return run(qtbot, client.call(build))


def test_a_change_arriving_after_shutdown_starts_no_reload(
    qtbot: Any, ui_window: MainWindow, ui_client: Any
) -> None:
    ids = _add_assets(qtbot, ui_client, ["a.png", "b.png"])
    run(qtbot, ui_window.reload())
    assert ui_window.model.rowCount() == 2

    run(qtbot, ui_window.shutdown())
    late = _add_assets(qtbot, ui_client, ["late.png"])
    follower = ui_window.change_follower
    for change in (
        WorldChanged(entity_ids=frozenset(late), added=True),
        WorldChanged(entity_ids=frozenset(ids), components=frozenset({"file", "trash"})),
    ):
        ui_client.changes.changed.emit(change)
        qtbot.waitUntil(lambda: not follower.waiting())
    started = [*ui_window.tasks, *ui_window.model._tasks]
    # Whatever was started anyway runs to its end here, as it would before the world closed.

    async def ended() -> None:
        await asyncio.gather(*started, return_exceptions=True)

    run(qtbot, ended())
    assert ui_window.model.rowCount() == 2, "the grid did not read the library again"
    assert set(ui_window.model.ids_in(0, 2)) == set(ids)
    assert all(task.cancelled() for task in started), "nothing started after shutdown ran"


def test_no_room_of_the_window_starts_work_for_a_change_after_shutdown(
    qtbot: Any, ui_window: MainWindow, ui_client: Any, ui_loop: asyncio.AbstractEventLoop
) -> None:
    """The rooms (tags, marks, the sidebar) follow changes with their own tasks: none starts."""
    from dam_desktop.ui.marks.install import MarksUI
    from dam_desktop.ui.tags.tag_ui import install_tag_ui

    ids = _add_assets(qtbot, ui_client, ["a.png", "b.png"])
    install_tag_ui(ui_window)
    marks = MarksUI(ui_window)
    run(qtbot, ui_window.reload())
    qtbot.waitUntil(lambda: all(task.done() for task in asyncio.all_tasks(ui_loop)))

    run(qtbot, ui_window.shutdown())
    qtbot.waitUntil(lambda: all(task.done() for task in asyncio.all_tasks(ui_loop)))
    change = WorldChanged(
        entity_ids=frozenset(ids), components=frozenset({"marks", "tags", "file"}), added=True
    )
    ui_client.changes.changed.emit(change)
    qtbot.waitUntil(lambda: not marks.follower.waiting())
    started = [task for task in asyncio.all_tasks(ui_loop) if not task.done()]
    assert not started, started
