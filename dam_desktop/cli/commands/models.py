"""`dam-desktop models list|download NAME|import NAME FILE|remove NAME|use NAME`: the model
catalogue's weights, and the library's image model.

Weights belong to this computer, not to a library, so only `use` opens a library. `list` prints one
tab-separated line per catalogue model: name, state (absent/ready), download size, disk use,
licence, what it serves. The work is done by `ml.model_store`, the same code as the Models dialog;
`use` goes through the use case the dialog's "Use for This Library" calls.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import Any

from dam_desktop.cli.common import EXIT_OK, EXIT_USAGE, ProgressLine, fail, guarded, tab_line


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("models", help="list, download, import or remove model weights")
    actions = parser.add_subparsers(dest="models_action", metavar="ACTION", required=True)
    actions.add_parser("list", help="the catalogue's models and whether their weights are here")
    download = actions.add_parser("download", help="download a model's weights from the Hugging Face hub")
    download.add_argument("name", metavar="NAME")
    imported = actions.add_parser("import", help="install a weights file you already have for a model")
    imported.add_argument("name", metavar="NAME")
    imported.add_argument("file", metavar="FILE", type=Path)
    remove = actions.add_parser("remove", help="delete a model's imported and downloaded weights")
    remove.add_argument("name", metavar="NAME")
    use = actions.add_parser(
        "use",
        help="make NAME the library's model for image search, find similar and AI tags "
        "(images it has not seen are embedded in the background, or by `process`)",
    )
    use.add_argument("name", metavar="NAME")
    parser.set_defaults(handler=guarded(run))


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"


def _list() -> int:
    from dam_desktop.ml.catalogue import catalogue
    from dam_desktop.ml.model_store import model_status

    for entry in catalogue():
        status = model_status(entry)
        size = human_size(entry.size_bytes) if entry.size_exact else f"~{human_size(entry.size_bytes)}"
        print(
            tab_line(
                entry.name,
                status.state,
                size,
                human_size(status.disk_bytes),
                entry.licence,
                entry.describe_tasks(),
            )
        )
    return EXIT_OK


def _download(name: str) -> int:
    from dam_desktop.ml.catalogue import get_entry
    from dam_desktop.ml.model_store import download_model

    entry = get_entry(name)
    line = ProgressLine(sys.stderr)

    def progress(done: int, total: int | None) -> None:
        fraction = done / total if total else None
        shown = f"{human_size(done)} of {human_size(total)}" if total else human_size(done)
        line.show(f"downloading {entry.name}: {shown}", fraction)

    cancel = threading.Event()
    try:
        path = download_model(entry, progress=progress, cancel=cancel)
    except KeyboardInterrupt:
        cancel.set()
        line.finish()
        return fail("download interrupted; what was fetched is kept and the next download resumes it", 130)
    line.finish()
    print(f"{entry.name}: ready ({path})")
    return EXIT_OK


def _import(name: str, file: Path) -> int:
    from dam_desktop.ml.catalogue import get_entry
    from dam_desktop.ml.model_store import import_model

    entry = get_entry(name)
    if not file.exists():
        return fail(f"{file}: no such file", EXIT_USAGE)
    installed = import_model(entry, file)
    print(f"{entry.name}: ready (imported {file} as {installed})")
    return EXIT_OK


def _remove(name: str) -> int:
    from dam_desktop.ml.catalogue import get_entry
    from dam_desktop.ml.model_store import remove_model

    entry = get_entry(name)
    freed = remove_model(entry)
    done = f"removed ({human_size(freed)} freed)" if freed else "nothing to remove"
    print(f"{entry.name}: {done}")
    return EXIT_OK


def _use(args: argparse.Namespace) -> int:
    from dam_desktop.cli.common import run_with_world
    from dam_desktop.use_cases.models import use_image_model

    choice = run_with_world(args, lambda world: use_image_model(world, args.name))
    others = ", ".join(
        f"{name} {count}" for name, count in sorted(choice.embedded.items()) if name != args.name
    )
    print(
        f"{choice.model_name}: in use for image search, find similar and AI tags;"
        f" {choice.embedded.get(choice.model_name, 0)} images embedded, {choice.waiting} waiting"
        " (the window embeds them in the background; `dam-desktop process` does it now)"
        + (f"; kept from other models: {others}" if others else "")
    )
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except OSError as exc:
        return fail(f"{exc.filename or 'models'}: {exc.strerror or exc}")


def _run(args: argparse.Namespace) -> int:
    action = args.models_action
    if action == "list":
        return _list()
    if action == "download":
        return _download(args.name)
    if action == "import":
        return _import(args.name, args.file)
    if action == "use":
        return _use(args)
    return _remove(args.name)
