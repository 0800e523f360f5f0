"""Wires a World for the app and the CLI: opens the library, adds resources, registers systems."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import dam_desktop.services.locations.missing_file_terms  # noqa: F401  (registers has:missing-file)
from dam_desktop.core.library_location import is_server_url
from dam_desktop.core.library_lock import LibraryLock
from dam_desktop.core.model_manager import ModelExecutionManager
from dam_desktop.core.world import World
from dam_desktop.services.semantic.audio_service import AudioSettings
from dam_desktop.services.semantic.semantic_service import SemanticSettings
from dam_desktop.services.semantic.vector_index import VectorIndexCache
from dam_desktop.services.store import publish_journal
from dam_desktop.services.tagging.tagging_service import AutoTaggingSettings
from dam_desktop.systems import DEFAULT_SYSTEMS
from dam_desktop.systems.tag_words_system import tag_words_system

MODEL_WORKER_ENV_VAR = "DAM_DESKTOP_MODEL_WORKER"
"""`0` keeps the window's models in its own process (on the model thread), as the CLI does."""


def model_worker_wanted() -> bool:
    """Whether the window runs its models in a worker process (the default)."""
    return os.environ.get(MODEL_WORKER_ENV_VAR, "1").strip() not in {"0", "no", "off", "false"}


def initialize_world_resources(world: World, *, model_worker: bool = False) -> None:
    """Add the resources every world carries (spec §4.1). Later rooms add theirs here.

    With `model_worker` (the window) models live in a child process the world's model manager
    owns, so torch never enters the window; the CLI, a short-lived process that exits when its
    command is done, keeps them on its model thread: no process start, no pickling.
    """
    if not world.resources.has(ModelExecutionManager):
        if model_worker:
            from dam_desktop.ml.worker_client import ModelWorker

            world.resources.add(ModelExecutionManager(host=ModelWorker()))
        else:
            from dam_desktop.ml.model_thread import get_model_thread

            world.resources.add(ModelExecutionManager(runner=get_model_thread()))
    if not world.resources.has(AutoTaggingSettings):
        world.resources.add(AutoTaggingSettings())
    for resource_type in (SemanticSettings, AudioSettings, VectorIndexCache):
        if not world.resources.has(resource_type):
            world.resources.add(resource_type())


async def open_world(
    library_path: Path | str,
    *,
    lock: LibraryLock | None = None,
    read_only: bool = False,
    store_root: Path | None = None,
    check_gate: threading.Event | None = None,
    model_worker: bool = False,
) -> World:
    """Open a library with every resource and system; `lock` is its lock if already held.

    `read_only` opens it without the lock, for commands that only read (see `World.open_read_only`).
    A PostgreSQL URL opens a shared library, whose store this computer mounts at `store_root`
    (None: where the library records it). `check_gate`: see `World.open`; `model_worker`: see
    `initialize_world_resources`.
    """
    if isinstance(library_path, str) and is_server_url(library_path):
        world = await World.open_shared(library_path, store_root)
    elif read_only:
        world = await World.open_read_only(library_path)
    else:
        world = await World.open(library_path, lock=lock, check_gate=check_gate)
    if not world.read_only:
        try:
            async with world.session() as session:
                # Copies an interrupted import put into the store but never committed (publish_journal);
                # only the writer, who holds the lock, may delete them.
                if world.is_shared:
                    await publish_journal.sweep_dead_clients(session, world.paths, socket.gethostname())
                else:
                    await publish_journal.sweep(session, world.paths)
        except BaseException:
            await world.close()
            raise
    initialize_world_resources(world, model_worker=model_worker)
    for system_func in DEFAULT_SYSTEMS:
        world.register_system(system_func)
    if world.is_shared:
        world.register_system(tag_words_system)  # SQLite's edits write their words themselves
    from dam_desktop.use_cases.models import apply_library_models
    from dam_desktop.use_cases.result_pages import remember_planner_figures

    # Both on the plain read connection the grid's pages use next, one after the other.
    await apply_library_models(world)
    await remember_planner_figures(world)
    return world
