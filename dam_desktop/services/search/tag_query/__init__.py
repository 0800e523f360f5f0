"""The tag query language: tokenizer -> parser -> syntax tree -> SQL compiler (one module each)."""

from dam_desktop.services.search.tag_query.ast import And, MatchAll, Node, Not, Or, Term, render
from dam_desktop.services.search.tag_query.errors import QueryError, QuerySyntaxError, QueryTermError
from dam_desktop.services.search.tag_query.parser import parse

__all__ = [
    "And",
    "MatchAll",
    "Node",
    "Not",
    "Or",
    "QueryError",
    "QuerySyntaxError",
    "QueryTermError",
    "Term",
    "parse",
    "render",
]
