"""`dam-desktop similar ID`: the assets most like asset ID, best first, one per line.

Images are compared by their CLIP embeddings when the image model's weights are installed, and by
their weights-free wavelet signatures otherwise; sounds by their audio fingerprints. Answers are
of the asset's own kind. The method is named on standard error ("similar by: ..."). Each line is
tab-separated: entity id, score (similarity; 1.0 is the same picture or sound), type, file name,
and the model or descriptor that scored it. `--where` narrows the answers to a tag query. The same
output serves `dam-desktop search --semantic "TEXT"`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from dam_desktop.cli.arguments import positive_int
from dam_desktop.cli.common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    Access,
    fail,
    guarded,
    run_with_world,
    tab_line,
)
from dam_desktop.core.errors import QueryError
from dam_desktop.core.world import World
from dam_desktop.use_cases.similarity import SimilarResults, find_similar, prepare_similarity


class _Hit(Protocol):
    @property
    def entity_id(self) -> int: ...

    @property
    def score(self) -> float: ...

    @property
    def asset_type(self) -> str: ...

    @property
    def filename(self) -> str: ...

    @property
    def model(self) -> str: ...


class _Results(Protocol):
    """What `similar` and `search --semantic` print: ranked hits and notes."""

    @property
    def hits(self) -> Sequence[_Hit]: ...

    @property
    def notes(self) -> Sequence[str]: ...


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "similar",
        help="list the images or sounds most like an asset: id, score, type, file name",
    )
    parser.add_argument("entity_id", type=int, metavar="ID", help="the asset to compare with")
    add_semantic_options(parser)
    parser.set_defaults(handler=guarded(run))


def add_semantic_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--limit", type=positive_int, default=20, metavar="N", help="at most N assets (default 20)"
    )
    parser.add_argument("--where", metavar="QUERY", default=None, help="only assets matching this tag query")


def format_hit_row(entity_id: int, score: float, asset_type: str, filename: str, model: str) -> str:
    return tab_line(entity_id, f"{score:.4f}", asset_type, filename, model)


def print_ranked(results: _Results, heading: str | None = None) -> int:
    """`heading` and the notes on stderr, a row per hit on stdout; failure when the notes say why
    nothing was found."""
    if heading is not None:
        print(f"dam-desktop: {heading}", file=sys.stderr)
    for note in results.notes:
        print(f"dam-desktop: {note}", file=sys.stderr)
    if isinstance(results, SimilarResults) and results.method:
        print(f"similar by: {results.method_label}", file=sys.stderr)
    sys.stdout.write(
        "".join(
            format_hit_row(h.entity_id, h.score, h.asset_type, h.filename, h.model) + "\n"
            for h in results.hits
        )
    )
    return EXIT_OK if results.hits or not results.notes else EXIT_FAILURE


async def _similar(world: World, args: argparse.Namespace) -> SimilarResults:
    await prepare_similarity(world)
    return await find_similar(world, args.entity_id, where=args.where or "", limit=args.limit)


def _run_guarded(
    args: argparse.Namespace, action: Callable[[World, argparse.Namespace], Awaitable[_Results]]
) -> int:
    try:
        return print_ranked(run_with_world(args, lambda world: action(world, args), Access.READ_OR_WRITE))
    except QueryError as exc:
        return fail(f"query error at position {exc.position}: {exc.message} (in {args.where!r})", EXIT_USAGE)


def run(args: argparse.Namespace) -> int:
    return _run_guarded(args, _similar)
