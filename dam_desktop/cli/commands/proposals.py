"""`dam-desktop proposals`: review the tags a model proposed, as the window's "Model tags" view does.

    dam-desktop proposals list [--tag TAG] [--min-confidence 0.8] [--limit N]
    dam-desktop proposals accept --ids 1,2,3 [--tag TAG]
    dam-desktop proposals accept --all --min-confidence 0.9 [--tag TAG]
    dam-desktop proposals reject --ids 4 --tag TAG

`list` prints one proposal per line, tab-separated: entity id, tag, confidence, model, file name,
most confident first. Accepting makes the proposals manual tags; rejecting is remembered, so the
model does not propose that tag for that asset again. A choice that matches no open proposal
prints one line and exits with status 1.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dam_desktop.cli.arguments import positive_int
from dam_desktop.cli.commands.tag import _id_list
from dam_desktop.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    Access,
    fail,
    guarded,
    run_with_world,
    safe_streams,
    tab_line,
)
from dam_desktop.core.world import World
from dam_desktop.use_cases import proposals


def _confidence(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"a confidence is between 0 and 1, not {value}")
    return number


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("proposals", help="list, accept or reject the tags a model proposed")
    actions = parser.add_subparsers(dest="proposals_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="open proposals, most confident first")
    listing.add_argument("--tag", help="only proposals of this tag")
    listing.add_argument("--min-confidence", type=_confidence, default=0.0, metavar="C", help="0 to 1")
    listing.add_argument("--limit", type=positive_int, default=None, metavar="N", help="print at most N")
    listing.set_defaults(handler=guarded(run_list))
    for name, verb in (("accept", "make manual tags of"), ("reject", "reject (never proposed again)")):
        sub = actions.add_parser(name, help=f"{verb} the chosen proposals")
        sub.add_argument("--tag", help="only proposals of this tag")
        chosen = sub.add_mutually_exclusive_group(required=True)
        chosen.add_argument("--ids", type=_id_list, help="the proposals on these assets (ids: 1,2,3)")
        if name == "accept":
            chosen.add_argument("--all", action="store_true", help="every open proposal")
            sub.add_argument(
                "--min-confidence", type=_confidence, default=None, metavar="C", help="with --all: 0 to 1"
            )
        sub.set_defaults(handler=guarded(run_decide))


def run_list(args: argparse.Namespace) -> int:
    safe_streams()

    async def read(world: World) -> proposals.ProposalPage:
        return await proposals.list_proposals(
            world, tag=args.tag, min_confidence=args.min_confidence, limit=args.limit
        )

    page = run_with_world(args, read, Access.READ)
    sys.stdout.write(
        "".join(
            tab_line(p.entity_id, p.tag_name, f"{p.confidence:.3f}", p.model_name, p.filename) + "\n"
            for p in page.proposals
        )
    )
    return EXIT_OK


def run_decide(args: argparse.Namespace) -> int:
    safe_streams()
    accepting = args.proposals_action == "accept"
    if accepting and args.min_confidence is not None and not args.all:
        return fail("--min-confidence goes with --all", EXIT_USAGE)

    async def decide(world: World) -> tuple[int, int]:
        if accepting and args.all:
            minimum = args.min_confidence or 0.0
            return -1, await proposals.accept_all(world, min_confidence=minimum, tag=args.tag)
        pairs = await proposals.find_pairs(world, args.ids, args.tag)
        if not pairs:
            return 0, 0
        done = await (proposals.accept if accepting else proposals.reject)(world, pairs)
        return len(pairs), done

    matched, done = run_with_world(args, decide)
    if matched == 0:
        what = f"'{args.tag}' " if args.tag else ""
        return fail(f"no open {what}proposals on asset {', '.join(map(str, args.ids))}")
    if accepting:
        print(f"accepted {done} tag{'s' if done != 1 else ''}")
    else:
        print(f"rejected {done} proposal{'s' if done != 1 else ''}")
    return EXIT_OK
