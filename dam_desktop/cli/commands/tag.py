"""`dam-desktop tag`: add or remove tags on many assets at once, and edit tags themselves.

    dam-desktop tag add cat "big cat" --ids 1,2,3
    dam-desktop tag remove cat --query "type:audio"
    dam-desktop tag rename kitty cat | merge SOURCE TARGET | delete TAG
    dam-desktop tag alias cat kitty | parent kitten cat

Adding or removing is one transaction, whatever the number of assets. A query error or a tag
name that cannot be used prints one line and exits with status 2.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from dam_desktop.cli.commands.search import query_failure
from dam_desktop.cli.common import EXIT_OK, EXIT_USAGE, fail, guarded, run_with_world, safe_streams
from dam_desktop.core.errors import QueryError, TagCycleError, TagError, TagNameError
from dam_desktop.core.world import World
from dam_desktop.use_cases import tags as tag_cases
from dam_desktop.use_cases.search import query_syntax_error


def _id_list(value: str) -> list[int]:
    try:
        ids = [int(part) for part in value.replace(" ", "").split(",") if part]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected entity ids like 1,2,3, not {value!r}") from None
    if not ids:
        raise argparse.ArgumentTypeError("no entity ids given")
    return ids


# Tag-management subcommands: help text and positional arguments, in the order they are typed.
MANAGE_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "rename": ("give a tag a new name", ("tag", "new_name")),
    "merge": ("fold SOURCE into TARGET (SOURCE becomes an alias)", ("source", "target")),
    "delete": ("delete a tag and all its links", ("tag",)),
    "alias": ("let ALIAS stand for TAG", ("tag", "alias")),
    "parent": ("make CHILD imply PARENT (searching PARENT finds CHILD)", ("child", "parent")),
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("tag", help="add or remove tags on assets; rename, merge, alias tags")
    actions = parser.add_subparsers(dest="tag_action", metavar="ACTION", required=True)
    for name, verb in (("add", "add"), ("remove", "remove")):
        sub = actions.add_parser(name, help=f"{verb} tags on the given assets")
        sub.add_argument("tags", nargs="+", metavar="TAG")
        target = sub.add_mutually_exclusive_group(required=True)
        target.add_argument("--ids", type=_id_list, help="comma-separated entity ids")
        target.add_argument("--query", help="every asset matching this tag query")
        sub.set_defaults(handler=guarded(run_edit))
    for name, (help_text, arguments) in MANAGE_ACTIONS.items():
        sub = actions.add_parser(name, help=help_text)
        for argument in arguments:
            sub.add_argument(argument)
        sub.set_defaults(handler=guarded(run_manage))


async def _edit(world: World, args: argparse.Namespace) -> int:
    return await tag_cases.edit_assets(
        world, args.tags, add=args.tag_action == "add", ids=args.ids, query=args.query
    )


def run_edit(args: argparse.Namespace) -> int:
    safe_streams()
    if args.query is not None and (error := query_syntax_error(args.query)) is not None:
        return query_failure(args.query, error)
    try:
        for name in args.tags:
            tag_cases.normalize_tag_name(name)
        changed = run_with_world(args, lambda world: _edit(world, args))
    except QueryError as exc:
        return query_failure(args.query or "", exc)
    except TagError as exc:
        return fail(str(exc), EXIT_USAGE)
    verb = "added" if args.tag_action == "add" else "removed"
    print(f"{verb} {changed} tag link{'s' if changed != 1 else ''}")
    return EXIT_OK


# What each management action does, and what it says when done: (use case, message).
MANAGE_CASES: dict[str, tuple[Callable[[World, argparse.Namespace], Awaitable[object]], str]] = {
    "rename": (lambda w, a: tag_cases.rename_tag(w, a.tag, a.new_name), "renamed '{tag}' to '{done}'"),
    "merge": (lambda w, a: tag_cases.merge_tags(w, a.source, a.target), "merged '{source}' into '{target}'"),
    "delete": (lambda w, a: tag_cases.delete_tag(w, a.tag), "deleted '{tag}'"),
    "alias": (lambda w, a: tag_cases.add_alias(w, a.tag, a.alias), "'{alias}' now stands for '{tag}'"),
    "parent": (lambda w, a: tag_cases.add_parent(w, a.child, a.parent), "'{child}' now implies '{parent}'"),
}


async def _manage(world: World, args: argparse.Namespace) -> str:
    action, message = MANAGE_CASES[args.tag_action]
    done = await action(world, args)
    return message.format(done=done, **vars(args))


def run_manage(args: argparse.Namespace) -> int:
    safe_streams()
    try:
        print(run_with_world(args, lambda world: _manage(world, args)))
    except (TagNameError, TagCycleError) as exc:
        return fail(str(exc), EXIT_USAGE)
    return EXIT_OK
