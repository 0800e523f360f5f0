"""Tagging and exporting a whole search result works on the query, past the old 10k-id cap: the
use cases tag, untag and undo in SQL, export reads the result a batch at a time, and the window's
tag editor, given Select All over more assets than it lists, tags every match."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from dam_desktop.ui.tags.tag_ui import install_tag_ui
from dam_desktop.ui.window.main_window import MainWindow
from dam_desktop.use_cases import assets, search, tags
from dam_desktop.use_cases.result_scope import ResultScope
from dam_desktop.world_setup import open_world
from tests.test_tag_support import AssetSpec, make_assets
from tests.ui_helpers import run

# The tests with many assets write them straight into the SQLite file; the first test runs on
# either backend.
sqlite_file = pytest.mark.sqlite_only(
    "fills the library's SQLite file directly with tens of thousands of rows"
)

BIG = 12_000  # more than the 10k ids a selection used to be capped at


def bulk_assets(db_path: Path, count: int, files: Path | None = None) -> list[int]:
    """`count` assets written straight into the database (half images, half sounds); with `files`,
    each references a small real file there."""
    if files is not None:
        files.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(db_path) as db:
        (first,) = db.execute("SELECT coalesce(max(id), 0) + 1 FROM entities").fetchone()
        ids = list(range(first, first + count))
        db.executemany(
            "INSERT INTO entities (id, created_at) VALUES (?, '2026-01-01 00:00:00')", ((i,) for i in ids)
        )
        kinds = [("image", "png", "image/png"), ("audio", "wav", "audio/x-wav")]
        db.executemany(
            "INSERT INTO component_file_properties (entity_id, original_filename, file_size_bytes,"
            " mime_type, file_extension, asset_type) VALUES (?, ?, 8, ?, ?, ?)",
            ((i, f"a{i}.{kinds[i % 2][1]}", kinds[i % 2][2], kinds[i % 2][1], kinds[i % 2][0]) for i in ids),
        )
        db.executemany(
            "INSERT INTO component_content_hash_sha256 (entity_id, hash_value) VALUES (?, ?)",
            ((i, i.to_bytes(32, "big")) for i in ids),
        )
        if files is not None:
            for i in ids:
                (files / f"a{i}.{kinds[i % 2][1]}").write_bytes(i.to_bytes(8, "big"))
            db.executemany(
                "INSERT INTO component_file_location (entity_id, storage_type, path)"
                " VALUES (?, 'reference', ?)",
                ((i, str(files / f"a{i}.{kinds[i % 2][1]}")) for i in ids),
            )
    return ids


async def test_a_result_edit_and_its_undo_change_exactly_the_results_links(world: Any) -> None:
    async with world.session() as session:
        specs = [
            AssetSpec(name=f"{kind}{n}.png", tags=("kept",) if n == 0 else ())
            for kind in "ab"
            for n in range(4)
        ]
        ids = await make_assets(session, specs)
        await session.commit()
    a_ids = ids[:4]
    added = await tags.add_tags_to_result(world, ResultScope("name:a*", (a_ids[1],)), ["kept", "new"])
    assert added.count == 3 + 2  # "new" on three, "kept" on the two that lacked it
    assert await search.count_matches(world, "new") == 3 and await search.count_matches(world, "kept") == 4
    await tags.undo_result_edit(world, added)
    assert await search.count_matches(world, "new") == 0 and await search.count_matches(world, "kept") == 2
    (kept,) = await tags.find_tags(world, "kept")
    removed = await tags.remove_tags_from_result(world, ResultScope("name:a*"), [kept.id])
    assert removed.count == 1 and await search.count_matches(world, "kept") == 1  # b0's stays
    await tags.undo_result_edit(world, removed)
    assert await search.count_matches(world, "kept") == 2


@sqlite_file
def test_tagging_a_result_bigger_than_the_old_cap_tags_every_match_and_undoes(library_path: Path) -> None:
    async def scenario() -> None:
        world = await open_world(library_path)
        try:
            ids = bulk_assets(world.paths.db_path, BIG)
            images = [i for i in ids if i % 2 == 0]
            left_out = tuple(images[:3])
            added = await tags.add_tags_to_result(world, ResultScope("type:image", left_out), ["bulk"])
            assert added.count == len(images) - 3
            assert await search.count_matches(world, "bulk") == len(images) - 3
            assert await search.count_matches(world, "bulk type:audio") == 0
            assert [t.use_count for t in await tags.find_tags(world, "bulk")] == [len(images) - 3]

            await tags.undo_result_edit(world, added)
            assert await search.count_matches(world, "bulk") == 0

            everything = await tags.add_tags_to_result(world, ResultScope(""), ["bulk"])
            assert everything.count == BIG
            assert await search.count_matches(world, "bulk") == BIG
            (bulk,) = await tags.find_tags(world, "bulk")
            removed = await tags.remove_tags_from_result(world, ResultScope("type:audio"), [bulk.id])
            assert removed.count == BIG - len(images)
            assert await search.count_matches(world, "bulk") == len(images)
            await tags.undo_result_edit(world, removed)
            assert await search.count_matches(world, "bulk") == BIG
            assert [t.use_count for t in await tags.find_tags(world, "bulk")] == [BIG]
        finally:
            await world.close()

    asyncio.run(scenario())


@sqlite_file
def test_exporting_a_result_reads_it_in_batches_and_writes_every_file(
    library_path: Path, tmp_path: Path
) -> None:
    count = assets.EXPORT_BATCH + 500

    async def scenario() -> None:
        world = await open_world(library_path)
        try:
            ids = bulk_assets(world.paths.db_path, count, tmp_path / "files")
            (tmp_path / "out").mkdir()
            outcome = await assets.export_query(world, "", tmp_path / "out", excluded=ids[:2])
            assert len(outcome.written) == count - 2 and not outcome.unreadable
            assert len(list((tmp_path / "out").iterdir())) == count - 2
            assert not (tmp_path / "out" / f"a{ids[0]}.{'png' if ids[0] % 2 == 0 else 'wav'}").exists()
        finally:
            await world.close()

    asyncio.run(scenario())


@sqlite_file
def test_the_tag_editor_tags_a_whole_selected_result_past_what_it_lists(
    qtbot: Any, ui_window: MainWindow, ui_client: Any
) -> None:
    bulk_assets(ui_window.client.library_path / "dam.sqlite3", BIG)
    ui = install_tag_ui(ui_window)
    run(qtbot, ui_window.apply_search("type:image"))
    qtbot.waitUntil(
        lambda: ui_window.model.rowCount() == BIG // 2 and not ui_window.model.streaming, timeout=60_000
    )
    ui_window.grid.selectAll()
    qtbot.waitUntil(lambda: ui.editor.scope is not None and ui.editor.isEnabled(), timeout=30_000)
    assert ui.editor.scope.query == "type:image" and ui.editor.scope.count == BIG // 2
    ui.editor.add_tags(["everything"])
    run(qtbot, ui.editor.wait_idle())
    counted = run(qtbot, ui_client.call(lambda world: search.count_matches(world, "everything")))
    assert counted == BIG // 2  # the editor lists 5000; every one of the 6000 was tagged
    assert ui_window.actions_menu.undo_stack.undoText() == "Add everything (6,000 assets)"
    ui_window.actions_menu.undo_stack.undo()
    run(qtbot, ui.editor.wait_idle())
    assert run(qtbot, ui_client.call(lambda world: search.count_matches(world, "everything"))) == 0
    # The undo's change reloads the grid, the chips and the sidebar: let them finish before closing.
    qtbot.waitUntil(lambda: not ui_window.model.streaming and ui.editor.scope is not None, timeout=60_000)
    for tasks in (ui.tasks, ui.editor.tasks, ui.sidebar.tasks):
        run(qtbot, tasks.cancel_all())


@sqlite_file
def test_exporting_a_whole_selected_result_past_the_action_cap_exports_every_match(
    qtbot: Any, ui_window: MainWindow, tmp_path: Path, monkeypatch: Any
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from dam_desktop.ui.window.asset_actions import MAX_SELECTION_FOR_ACTIONS

    count = MAX_SELECTION_FOR_ACTIONS + 600
    bulk_assets(ui_window.client.library_path / "dam.sqlite3", count, tmp_path / "files")
    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(folder))
    run(qtbot, ui_window.reload())  # the whole library, as the window opened on it
    qtbot.waitUntil(
        lambda: ui_window.model.rowCount() == count and not ui_window.model.streaming, timeout=60_000
    )
    ui_window.grid.selectAll()

    run(qtbot, ui_window._run_action_by_key("export"))

    assert ui_window.statusBar().currentMessage() == f"Exported {count} files to {folder}"
    assert len(list(folder.iterdir())) == count
