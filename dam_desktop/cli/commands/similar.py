"""`dam-desktop similar ID`: the assets most like asset ID, best first, one per line.

Images are compared by their CLIP embeddings, sounds by their weights-free audio fingerprints;
an asset without one is compared by name and tags. Each line is tab-separated: entity id, score
(cosine similarity), type, file name, and the model that scored it. `--where` narrows the
answers to a tag query. The same output serves `dam-desktop search --semantic "TEXT"`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

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
from dam_desktop.core.stages import SystemStage
from dam_desktop.core.world import World
from dam_desktop.services.semantic.semantic_search import SemanticResults
from dam_desktop.use_cases import search as search_cases
from dam_desktop.use_cases import similarity
from dam_desktop.use_cases.pipeline import run_stages


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
        "--limit", type=_positive, default=20, metavar="N", help="at most N assets (default 20)"
    )
    parser.add_argument("--where", metavar="QUERY", default=None, help="only assets matching this tag query")


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def format_hit_row(entity_id: int, score: float, asset_type: str, filename: str, model: str) -> str:
    return tab_line(entity_id, f"{score:.4f}", asset_type, filename, model)


def _print(results: SemanticResults) -> int:
    for note in results.notes:
        print(f"dam-desktop: {note}", file=sys.stderr)
    sys.stdout.write(
        "".join(
            format_hit_row(h.entity_id, h.score, h.asset_type, h.filename, h.model) + "\n"
            for h in results.hits
        )
    )
    return EXIT_OK if results.hits or not results.notes else EXIT_FAILURE


async def _catch_up(world: World) -> None:
    """Embed what an import left waiting (cheap when nothing is): the answer covers every asset.

    While the window has the library open, it does that work itself; the command then reads."""
    if world.read_only:
        return
    await run_stages(
        world, [SystemStage.AUDIO_PROCESSING, SystemStage.TEXT_EMBEDDING, SystemStage.IMAGE_EMBEDDING]
    )


async def _similar(world: World, args: argparse.Namespace) -> SemanticResults:
    await _catch_up(world)
    return await similarity.find_similar(world, args.entity_id, where=args.where or "", limit=args.limit)


async def _sentence(world: World, args: argparse.Namespace) -> SemanticResults:
    await _catch_up(world)
    return await search_cases.search_by_sentence(world, args.query, where=args.where or "", limit=args.limit)


def _run_guarded(args: argparse.Namespace, action: Any) -> int:
    try:
        return _print(run_with_world(args, lambda world: action(world, args), Access.READ_OR_WRITE))
    except QueryError as exc:
        return fail(f"query error at position {exc.position}: {exc.message} (in {args.where!r})", EXIT_USAGE)


def run(args: argparse.Namespace) -> int:
    return _run_guarded(args, _similar)


def run_semantic(args: argparse.Namespace) -> int:
    """`search --semantic`: `args.query` is a sentence; `--limit` and `--where` as for `similar`."""
    if not args.query.strip():
        return fail("the semantic query is empty", EXIT_USAGE)
    from dam_desktop.features import MODEL_FEATURES_UNAVAILABLE_NOTE, model_features_available

    if not model_features_available():
        return fail(MODEL_FEATURES_UNAVAILABLE_NOTE, EXIT_FAILURE)
    if args.limit is None:
        args.limit = 20
    return _run_guarded(args, _sentence)
