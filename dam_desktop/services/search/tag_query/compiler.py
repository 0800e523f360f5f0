"""Syntax tree -> predicate tree: the term registry and the walk that resolves tag names.

`compile_query` walks the tree and turns each `Term` into a predicate through the term registry
(`TERM_HANDLERS`, filled by `builtin_terms` and by other rooms); tag names are resolved here
(aliases, then every descendant tag through the parent links), so the SQL only compares integer
ids. See `to_sql` for how to register a term. It reads through `core.plain_session.fetch_rows`, so
it runs on the world's session or on plain sqlite3 (the command line's `search`); nothing in the
compiler, the planner or the built-in terms imports SQLAlchemy or the models.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dam_desktop.services.search.tag_query.ast import And, MatchAll, Node, Not, Or, Term
from dam_desktop.services.search.tag_query.errors import QueryTermError
from dam_desktop.services.search.tag_query.predicates import AllOf, AnyOf, Const, NotP, Pred, TagSet, simplify
from dam_desktop.services.tags import tag_resolve
from dam_desktop.services.tags.tag_types import ResolvedTags, TagNameError

if TYPE_CHECKING:
    from dam_desktop.core.plain_session import AnySession


@dataclass
class CompileContext:
    session: AnySession
    params: dict[str, Any] = field(default_factory=dict)
    resolved: dict[str, ResolvedTags] = field(default_factory=dict)
    # Text terms left uncounted for now (`text_terms.text_match`).
    defer_counts: bool = False

    def param(self, value: Any) -> str:
        """Bind `value`; returns the placeholder to put in SQL (`:q3`). A value bound already
        keeps its placeholder, so a term written twice compiles to equal predicates (folded)."""
        for bound, held in self.params.items():
            if type(held) is type(value) and held == value:
                return f":{bound}"
        name = f"q{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    async def tags(self, name: str, *, wildcard: bool = False) -> ResolvedTags:
        """The tag ids a name stands for (aliases and descendants included)."""
        if wildcard:
            return await tag_resolve.resolve_tag_pattern(self.session, name)
        if name in self.resolved:
            return self.resolved[name]
        try:
            return await tag_resolve.resolve_tag_query_name(self.session, name)
        except TagNameError:
            return ResolvedTags(frozenset(), 0)


TermHandler = Callable[[CompileContext, Term], Awaitable[Pred]]
TERM_HANDLERS: dict[str, TermHandler] = {}


def register_term(name: str, handler: TermHandler) -> None:
    """Register (or replace) a term: "word", "key:" or "key:value" (see the module docstring)."""
    TERM_HANDLERS[name.lower()] = handler


def term_handler(name: str) -> Callable[[TermHandler], TermHandler]:
    def deco(fn: TermHandler) -> TermHandler:
        register_term(name, fn)
        return fn

    return deco


class _WordFallback:
    """What a bare word that names no tag means (`text_terms` sets it: names and tags)."""

    handler: TermHandler | None = None


def register_word_fallback(handler: TermHandler) -> None:
    _WordFallback.handler = handler


def _lookup_handler(term: Term) -> TermHandler | None:
    if term.key is None:
        return None if term.quoted else TERM_HANDLERS.get(term.value.lower())
    return TERM_HANDLERS.get(f"{term.key}:{term.value.lower()}") or TERM_HANDLERS.get(f"{term.key}:")


async def tag_term(ctx: CompileContext, term: Term) -> Pred:
    """A plain or namespaced tag, optionally with `*` wildcards."""
    if term.op != "=":
        raise QueryTermError(
            f"'{term.key}' is a tag namespace; comparisons like '{term.op}' apply to"
            " width, height, duration, size and added",
            term.position,
            term.length,
        )
    resolved = await ctx.tags(term.text, wildcard=term.wildcard and not term.quoted)
    if not resolved.ids and term.key is None and _WordFallback.handler is not None:
        return await _WordFallback.handler(ctx, term)
    return TagSet(resolved.ids, resolved.use_count)


async def compile_query(
    session: AnySession,
    node: Node,
    known: dict[str, ResolvedTags] | None = None,
    *,
    defer_counts: bool = False,
) -> tuple[Pred, dict[str, Any]]:
    """Turn a syntax tree into a simplified predicate and its bind parameters.

    `known`: tag names resolved already, taken as they are. `defer_counts`: text terms may be left
    uncounted (`TextMatch.counted`); whoever plans counts them first where the plan needs them."""
    ctx = CompileContext(session, defer_counts=defer_counts)
    names = tag_names(node)
    ctx.resolved.update((name, known[name]) for name in names if known and name in known)
    # Resolve every other plain tag of the query in one round trip.
    if missing := [name for name in names if name not in ctx.resolved]:
        ctx.resolved.update(await tag_resolve.resolve_tag_query_names(session, missing))
    pred = await _compile(ctx, node)
    return simplify(pred), ctx.params


def tag_names(node: Node) -> list[str]:
    """The query's plain tag names (no wildcard, no registered term), resolved in one go."""
    return [t.text for t in _terms(node) if not (t.wildcard and not t.quoted) and _lookup_handler(t) is None]


def _terms(node: Node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return _terms(node.child)
    if isinstance(node, And | Or):
        return [t for c in node.children for t in _terms(c)]
    return []


async def _compile(ctx: CompileContext, node: Node) -> Pred:
    if isinstance(node, MatchAll):
        return Const(True)
    if isinstance(node, Not):
        return NotP(await _compile(ctx, node.child))
    if isinstance(node, And):
        return AllOf(tuple([await _compile(ctx, c) for c in node.children]))
    if isinstance(node, Or):
        return AnyOf(tuple([await _compile(ctx, c) for c in node.children]))
    handler = _lookup_handler(node) or tag_term
    return await handler(ctx, node)
