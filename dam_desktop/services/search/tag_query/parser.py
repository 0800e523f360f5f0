"""Parser: tokens -> syntax tree (`ast`), by recursive descent.

Grammar (implicit AND binds loosest, then `|`, then `-`)::

    query    := and_expr? EOF
    and_expr := or_expr+
    or_expr  := unary ('|' unary)*
    unary    := '-' unary | atom
    atom     := '(' and_expr ')' | WORD

So `cat dog | bird` means `cat (dog | bird)`, and `-a | b` means `(-a) | b`.

Limits keep a hostile or pasted query from reaching Python's recursion limit or SQLite's (a
compound SELECT takes at most 500 parts, an expression tree 1,000 levels): at most `MAX_DEPTH`
nested parentheses or negations and `MAX_TERMS` terms, each refused with a `QueryLimitError`
pointing at the term that went over. Text holding bytes that are not UTF-8 is refused up front
(`QueryEncodingError`), naming the word.
"""

from __future__ import annotations

from dam_desktop.services.search.tag_query.ast import COMPARISON_OPS, And, MatchAll, Node, Not, Or, Term
from dam_desktop.services.search.tag_query.errors import (
    QueryEncodingError,
    QueryLimitError,
    QuerySyntaxError,
    is_surrogate,
    shown,
)
from dam_desktop.services.search.tag_query.tokenizer import Token, TokenKind, tokenize

_ENDS = (TokenKind.EOF, TokenKind.RPAREN)

# Deep enough for any query a person writes; each level costs the compiler a few Python frames
# and SQLite a few expression levels.
MAX_DEPTH = 32
# Well under SQLite's 500 parts of a compound SELECT (1,000 tags joined by INTERSECT failed).
MAX_TERMS = 200


def _check_encoding(query: str) -> None:
    bad = next((i for i, ch in enumerate(query) if is_surrogate(ch)), None)
    if bad is None:
        return
    start = max((query.rfind(sep, 0, bad) for sep in " \t\r\n()|"), default=-1) + 1
    ends = [i for i in (query.find(sep, bad) for sep in " \t\r\n()|") if i >= 0]
    word = query[start : min(ends, default=len(query))]
    raise QueryEncodingError(f"'{shown(word)}' holds bytes that are not UTF-8 text", bad)


class _Parser:
    def __init__(self, query: str) -> None:
        _check_encoding(query)
        self.query = query
        self.tokens = tokenize(query)
        self.i = 0
        self.depth = 0
        self.terms = 0

    def deeper(self, tok: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryLimitError(
                f"nested more than {MAX_DEPTH} levels deep ('{tok.kind.value}' at position {tok.position})",
                tok.position,
            )

    def counted(self, node: Node, tok: Token) -> Node:
        self.terms += _count_terms(node)
        if self.terms > MAX_TERMS:
            word = shown(self.query[tok.position : tok.position + tok.length])
            raise QueryLimitError(f"more than {MAX_TERMS} terms (at '{word}')", tok.position, tok.length)
        return node

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        if self.peek().kind is TokenKind.EOF:
            return MatchAll()
        node = self.and_expr()
        tok = self.peek()
        if tok.kind is TokenKind.RPAREN:
            raise QuerySyntaxError("unmatched ')'", tok.position)
        return node

    def and_expr(self) -> Node:
        items: list[Node] = []
        while self.peek().kind not in _ENDS:
            items.append(self.or_expr())
        return items[0] if len(items) == 1 else And(tuple(items))

    def or_expr(self) -> Node:
        items = [self.unary()]
        while self.peek().kind is TokenKind.PIPE:
            pipe = self.take()
            if self.peek().kind in (*_ENDS, TokenKind.PIPE):
                raise QuerySyntaxError("expected a term after '|'", pipe.position)
            items.append(self.unary())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def unary(self) -> Node:
        tok = self.peek()
        if tok.kind is TokenKind.MINUS:
            self.take()
            if self.peek().kind in (*_ENDS, TokenKind.PIPE):
                raise QuerySyntaxError("expected a term after '-'", tok.position)
            self.deeper(tok)
            node = Not(self.unary(), position=tok.position)
            self.depth -= 1
            return node
        return self.atom()

    def atom(self) -> Node:
        tok = self.take()
        if tok.kind is TokenKind.LPAREN:
            if self.peek().kind is TokenKind.RPAREN:
                raise QuerySyntaxError("empty parentheses", tok.position, 2)
            if self.peek().kind is TokenKind.EOF:
                raise QuerySyntaxError("expected a term after '('", tok.position)
            self.deeper(tok)
            node = self.and_expr()
            close = self.peek()
            if close.kind is not TokenKind.RPAREN:
                raise QuerySyntaxError(f"missing ')' to close '(' at position {tok.position}", close.position)
            self.take()
            self.depth -= 1
            return node
        if tok.kind is TokenKind.WORD:
            return self.counted(word_to_node(tok), tok)
        if tok.kind is TokenKind.PIPE:
            raise QuerySyntaxError("expected a term before '|'", tok.position)
        if tok.kind is TokenKind.RPAREN:
            raise QuerySyntaxError("unmatched ')'", tok.position)
        raise QuerySyntaxError("expected a term", tok.position)  # pragma: no cover - EOF is never taken


def word_to_node(tok: Token) -> Node:
    """Split a word into `key`, comparison and value; `key:a|b` becomes `key:a | key:b`."""
    if tok.quoted is not None and not tok.text:
        return Term(None, tok.quoted, quoted=True, position=tok.position, length=tok.length)
    colon = tok.text.find(":")
    if colon <= 0:
        # A bare word (a leading ':' is part of the name, not an empty key).
        return _term(None, tok.text, tok.position, tok.length)
    key = tok.text[:colon].lower()
    rest_start = tok.position + colon + 1
    if tok.quoted is not None:
        return Term(key, tok.quoted, quoted=True, position=tok.position, length=tok.length)
    rest = tok.text[colon + 1 :]
    if not rest:
        raise QuerySyntaxError(f"expected a value after '{tok.text}'", tok.position + colon, 1)
    alternatives: list[Node] = []
    offset = rest_start
    for part in rest.split("|"):
        op = "="
        value = part
        for candidate in COMPARISON_OPS:
            if part.startswith(candidate):
                op, value = candidate, part[len(candidate) :]
                break
        if not value:
            raise QuerySyntaxError(f"expected a value after '{key}:{part}'", offset + len(part) - 1)
        start = tok.position if len(alternatives) == 0 and "|" not in rest else offset
        length = tok.length if "|" not in rest else len(part)
        alternatives.append(_term(key, value, start, length, op))
        offset += len(part) + 1
    return alternatives[0] if len(alternatives) == 1 else Or(tuple(alternatives))


def _count_terms(node: Node) -> int:
    return len(node.children) if isinstance(node, Or) else 1


def _term(key: str | None, value: str, position: int, length: int, op: str = "=") -> Term:
    return Term(key, value, op=op, wildcard="*" in value, position=position, length=length)


def parse(query: str) -> Node:
    """Parse query text into a tree; raises QuerySyntaxError with the offending position."""
    return _Parser(query).parse()
