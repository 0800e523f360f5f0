"""`dam-desktop search QUERY`: the assets matching a tag query, one per line.

Each line is tab-separated like `list`: entity id, type, original file name (tabs and line breaks
in names written as `\\t`, `\\n`, `\\r`). `--count` prints only the number of matches. A query
error prints one line naming the position and exits with status 2.

The query may start with `-` (`dam-desktop search -cat`) and may come as several words
(`dam-desktop search -cat dog` is the query `-cat dog`): a word that is none of this command's
options is part of the query, so no `--` is needed.

A library whose schema is current is read with plain sqlite3 (`use_cases.quick_reads`: the same
compiler and planner, no world, no SQLAlchemy), like `list`; any other goes through the world.

`--semantic`: QUERY is a sentence, ranked hybrid (its words in names, locations and tags, fused
with the text, image and sound models that are installed); lines as for `similar`, and a line on
stderr says which rankers took part.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from typing import TYPE_CHECKING, Any

from dam_desktop.cli.arguments import add_sort_options, non_negative_int, positive_int
from dam_desktop.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    Access,
    fail,
    guarded,
    library_target,
    run_with_world,
    safe_streams,
    tab_line,
)
from dam_desktop.use_cases import quick_reads
from dam_desktop.use_cases.quick_reads import QueryError, SortKey

if TYPE_CHECKING:
    from dam_desktop.core.world import World

SEMANTIC_LIMIT = 20


class QueryArgumentParser(argparse.ArgumentParser):
    """Takes a word starting with `-` that names none of its options as a positional (the query),
    where argparse would refuse it as an unknown option."""

    def _parse_optional(self, arg_string: str) -> Any:
        found = super()._parse_optional(arg_string)
        if found is None or arg_string.startswith("--"):
            return found
        options = found if isinstance(found, list) else [found]
        return None if all(option[0] is None for option in options) else found


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "search",
        help="list the assets matching a tag query: id, type and file name",
        description='Query language: tag, ns:tag, -tag, "two words", a | b, (...), tag*, type:image,'
        " ext:png, name:storm, name:IMG_2*, path:/home/me/Pictures, width:>1000, height:<=600,"
        " duration:>2.5, size:>10MB, added:>2026-01-01, untagged; a word that is no tag finds"
        " file names and tags starting with it.",
    )
    # Only this command's parser takes unknown dashed words as the query.
    parser.__class__ = QueryArgumentParser
    parser.add_argument("query", nargs="+", help='the tag query, e.g. "cat -dog width:>1000" or -cat')
    parser.add_argument(
        "--semantic",
        action="store_true",
        help="QUERY is a sentence: list assets by meaning and words (id, score, type, file name, ranker)",
    )
    parser.add_argument(
        "--where", metavar="TAGQUERY", help="with --semantic: only assets matching this tag query"
    )
    parser.add_argument("--count", action="store_true", help="print only the number of matching assets")
    parser.add_argument(
        "--limit", type=positive_int, default=None, metavar="N", help="print at most N assets"
    )
    parser.add_argument("--offset", type=non_negative_int, default=0, metavar="N", help="skip the first N")
    add_sort_options(parser, "order (default: added)")
    parser.set_defaults(handler=guarded(run))


def query_failure(query: str, error: QueryError) -> int:
    """One line on stderr: the message and where in the query; exit status 2."""
    return fail(f"query error at position {error.position}: {error.message} (in {query!r})", EXIT_USAGE)


def _write(rows: list[tuple[int, str, str]]) -> None:
    sys.stdout.write("".join(tab_line(*row) + "\n" for row in rows))


def _search_quickly(args: argparse.Namespace) -> bool:
    """The matches read with plain sqlite3; False when the world must read them instead."""
    target = library_target(args)
    if isinstance(target, str):
        return False  # a shared library: its server answers through the world
    paths = quick_reads.readable_library(target)
    if paths is None:
        return False
    try:
        if args.count:
            print(quick_reads.count_matches(paths, args.query))
            return True
        pages = quick_reads.search_rows(
            paths,
            args.query,
            offset=args.offset,
            limit=args.limit,
            sort=SortKey(args.sort),
            descending=args.descending,
        )
        first = next(pages, [])
    except sqlite3.Error:
        return False  # the world says what is wrong with the file, in words
    _write(first)
    for rows in pages:
        _write(rows)
    return True


async def _search(world: World, args: argparse.Namespace) -> int:
    from dam_desktop.use_cases import search as search_cases

    if args.count:
        print(await search_cases.count_matches(world, args.query))
        return EXIT_OK
    pages = search_cases.search_rows(
        world,
        args.query,
        offset=args.offset,
        limit=args.limit,
        sort=SortKey(args.sort),
        descending=args.descending,
    )
    async for rows in pages:
        _write(rows)
    return EXIT_OK


async def _sentence(world: World, args: argparse.Namespace) -> int:
    from dam_desktop.cli.commands.similar import print_ranked
    from dam_desktop.use_cases import search as search_cases

    results = await search_cases.search_by_sentence(
        world, args.query, where=args.where or "", limit=args.limit or SEMANTIC_LIMIT, catch_up=True
    )
    return print_ranked(results, f"ranked by {' + '.join(results.rankers)}")


def _run_semantic(args: argparse.Namespace) -> int:
    if not args.query.strip():
        return fail("the semantic query is empty", EXIT_USAGE)
    from dam_desktop.features import MODEL_FEATURES_UNAVAILABLE_NOTE, model_features_available

    if not model_features_available():
        return fail(MODEL_FEATURES_UNAVAILABLE_NOTE, EXIT_FAILURE)
    if args.where and (error := quick_reads.query_syntax_error(args.where)) is not None:
        return query_failure(args.where, error)
    try:
        return run_with_world(args, lambda world: _sentence(world, args), Access.READ_OR_WRITE)
    except QueryError as exc:
        return query_failure(args.where or "", exc)


def run(args: argparse.Namespace) -> int:
    safe_streams()
    args.query = " ".join(args.query)
    if args.semantic:
        return _run_semantic(args)
    # Syntax errors need no library: report them before opening it.
    error = quick_reads.query_syntax_error(args.query)
    if error is not None:
        return query_failure(args.query, error)
    try:
        if _search_quickly(args):
            return EXIT_OK
        return run_with_world(args, lambda world: _search(world, args), Access.READ)
    except QueryError as exc:
        return query_failure(args.query, exc)
