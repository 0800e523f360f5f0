"""The tag query tokenizer and parser: trees for valid queries, positions for invalid ones."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dam_desktop.services.search.tag_query import (
    And,
    MatchAll,
    Not,
    Or,
    QuerySyntaxError,
    Term,
    parse,
    render,
)


def t(value: str, key: str | None = None, op: str = "=", **kw: object) -> Term:
    return Term(key, value, op=op, **kw)  # type: ignore[arg-type]


def strip(node: object) -> object:
    """The tree without positions, for comparing shapes."""
    if isinstance(node, Term):
        return ("term", node.key, node.op, node.value, node.quoted, node.wildcard)
    if isinstance(node, Not):
        return ("not", strip(node.child))
    if isinstance(node, And):
        return ("and", *[strip(c) for c in node.children])
    if isinstance(node, Or):
        return ("or", *[strip(c) for c in node.children])
    return ("all",)


def term(value: str, key: str | None = None, op: str = "=", quoted: bool = False) -> object:
    return ("term", key, op, value, quoted, "*" in value and not quoted)


def test_empty_query_matches_all() -> None:
    assert isinstance(parse(""), MatchAll)
    assert isinstance(parse("   "), MatchAll)


def test_implicit_and_negation_and_namespaces() -> None:
    assert strip(parse("cat -dog character:alice")) == (
        "and",
        term("cat"),
        ("not", term("dog")),
        term("alice", "character"),
    )


def test_or_binds_tighter_than_implicit_and() -> None:
    assert strip(parse("cat dog | bird")) == ("and", term("cat"), ("or", term("dog"), term("bird")))
    assert strip(parse("(cat dog) | bird")) == ("or", ("and", term("cat"), term("dog")), term("bird"))
    assert strip(parse("-a | b")) == ("or", ("not", term("a")), term("b"))


def test_comparisons_and_key_alternatives() -> None:
    assert strip(parse("width:>1000 height:<=600 size:>10MB")) == (
        "and",
        term("1000", "width", ">"),
        term("600", "height", "<="),
        term("10MB", "size", ">"),
    )
    assert strip(parse("type:image|audio")) == ("or", term("image", "type"), term("audio", "type"))


def test_quotes_wildcards_and_hyphenated_words() -> None:
    assert strip(parse('"big cat" ns:"two words" sci-fi ca*')) == (
        "and",
        term("big cat", quoted=True),
        term("two words", "ns", quoted=True),
        term("sci-fi"),
        term("ca*"),
    )
    assert strip(parse(r'"say \"hi\""')) == term('say "hi"', quoted=True)
    # A quoted word is a tag even when it looks like a keyword.
    assert strip(parse('"untagged"')) == term("untagged", quoted=True)


def test_terms_remember_where_they_are() -> None:
    node = parse("cat  -dog width:>5")
    assert isinstance(node, And)
    cat, neg, width = node.children
    assert isinstance(cat, Term) and (cat.position, cat.length) == (0, 3)
    assert isinstance(neg, Not) and neg.position == 5
    assert isinstance(neg.child, Term) and neg.child.position == 6
    assert isinstance(width, Term) and (width.position, width.length) == (10, 8)


@pytest.mark.parametrize(
    ("query", "position", "fragment"),
    [
        ("(cat", 4, "missing ')'"),
        ("cat)", 3, "unmatched ')'"),
        ("cat (dog", 8, "to close '(' at position 4"),
        ("()", 0, "empty parentheses"),
        ("cat -", 4, "after '-'"),
        ("cat |", 4, "after '|'"),
        ("| cat", 0, "before '|'"),
        ("a | | b", 2, "after '|'"),
        ('cat "dog', 4, "unterminated quote"),
        ("width:", 5, "expected a value"),
        ("(", 0, "after '('"),
        ("a (b | ) c", 5, "after '|'"),
    ],
)
def test_syntax_errors_point_at_the_problem(query: str, position: int, fragment: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    assert info.value.position == position
    assert fragment in info.value.message
    assert str(info.value).startswith(f"position {position}: ")


# --- round trip: render(parse(x)) parses to the same tree -----------------------------------------

names = st.sampled_from(["cat", "dog", "sci-fi", "big cat", "ns:alice", "x*", "untagged", "a'b"])
keys = st.sampled_from(["width:>10", "height:<=5", "type:image", "ext:png", "size:>1KB", "added:2026"])


def leaves() -> st.SearchStrategy[str]:
    return st.one_of(names.map(lambda n: f'"{n}"' if " " in n else n), keys)


queries = st.recursive(
    leaves(),
    lambda inner: st.one_of(
        inner.map(lambda q: f"-{q}" if not q.startswith("-") else f"-({q})"),
        st.lists(inner, min_size=2, max_size=3).map(lambda qs: " ".join(f"({q})" for q in qs)),
        st.lists(inner, min_size=2, max_size=3).map(lambda qs: " | ".join(f"({q})" for q in qs)),
    ),
    max_leaves=8,
)


@settings(max_examples=100, deadline=None)
@given(queries)
def test_render_round_trips(query: str) -> None:
    tree = parse(query)
    assert strip(parse(render(tree))) == strip(tree)
