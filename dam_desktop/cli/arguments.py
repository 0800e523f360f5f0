"""Argument types and option groups that several commands share (kept light: no world, no
SQLAlchemy, so the commands that read with plain sqlite3 stay quick to start)."""

from __future__ import annotations

import argparse

from dam_desktop.services.search.sorting import SortKey


def non_negative_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return number


def positive_int(value: str) -> int:
    number = non_negative_int(value)
    if number == 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def add_sort_options(parser: argparse.ArgumentParser, sort_help: str) -> None:
    """`--sort KEY` and `--asc`/`--desc` (`descending` is None when neither is given)."""
    parser.add_argument(
        "--sort", choices=[k.value for k in SortKey], default=SortKey.ADDED.value, help=sort_help
    )
    order = parser.add_mutually_exclusive_group()
    order.add_argument("--asc", dest="descending", action="store_false", default=None, help="ascending order")
    order.add_argument("--desc", dest="descending", action="store_true", help="descending order")
