"""One module per subcommand (see `dam_desktop.cli.main`), listed here as data.

The list lets `dam-desktop --help` name every command, and a command line be parsed, while only
the chosen command's module is imported: each module brings in the use cases, SQLAlchemy and the
services it needs, about a second of imports that `--help` and `--version` should not pay. A test
checks that this list and the modules agree.
"""

from __future__ import annotations

# command -> one line of help, as its module's `register` gives it
COMMANDS: dict[str, str] = {
    "backup": "write a consistent copy of the library to a folder (the window may stay open)",
    "check": "find files that are missing or changed; with --relink, find moved ones in a folder",
    "duplicates": "find near-duplicate images or sounds",
    "empty-trash": "delete the assets in the trash for good",
    "export": "copy assets' files into a folder, under their names",
    "import": "import image and sound files and folders (recursively) into the library",
    "info": "show the library's location, schema and size",
    "library": "copy a whole library between a folder and a PostgreSQL server",
    "list": "list the library's assets: id, type and file name",
    "models": "list, download, import or remove model weights",
    "process": "make thumbnails, fingerprints, embeddings and model tags for everything waiting",
    "proposals": "list, accept or reject the tags a model proposed",
    "repair": "rebuild a damaged library database into a new file (the damaged one is kept)",
    "restore": "put trashed assets back in the library, or bring back a backup (--backup)",
    "search": "list the assets matching a tag query: id, type and file name",
    "show": "show everything the library knows about one asset",
    "similar": "list the images or sounds most like an asset: id, score, type, file name",
    "tag": "add or remove tags on assets; rename, merge, alias tags",
    "tags": "list tags with how many assets carry each",
    "trash": "remove assets from the library into its trash",
    "xmp": "write the library's tags, rating and label to .xmp sidecars",
}

# Where a command's module name is not the command's name (`import` is a Python keyword).
MODULE_NAMES: dict[str, str] = {"import": "import_cmd", "empty-trash": "empty_trash"}


def module_name(command: str) -> str:
    return f"{__name__}.{MODULE_NAMES.get(command, command)}"
